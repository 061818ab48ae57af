#include "storage/torch_state_dict.hpp"

#include <ATen/ATen.h>
#include <caffe2/serialize/inline_container.h>
#include <fmt/format.h>
#include <torch/csrc/jit/serialization/pickle.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>

#include "storage/atomic_file.hpp"
#include "storage/storage_error.hpp"

namespace evostream::storage {

namespace {

// A value of the pickle machine: what state dicts are made of.
struct Value;
using ValuePtr = std::shared_ptr<Value>;

struct Value {
  enum class Kind {
    kNone,
    kBool,
    kInt,
    kFloat,
    kString,
    kTensor,
    kList,
    kTuple,
    kDict,
    kGlobal,
    kStorage
  };
  Kind kind = Kind::kNone;
  int64_t integer = 0;          // kBool, kInt; kStorage: its element count
  double number = 0.0;          // kFloat
  std::string text;             // kString; kGlobal: "module.name"; kStorage: its record key
  at::Tensor tensor;            // kTensor
  std::vector<ValuePtr> items;  // kList, kTuple; kDict: key, value, key, value, ...
  int depth = 0;                // containers: 1 + the deepest item's depth
  bool placed = false;          // inside another container: no longer changed (so depths stay true)
  at::ScalarType dtype = at::kFloat;  // kStorage

  static ValuePtr of(Kind k) {
    auto v = std::make_shared<Value>();
    v->kind = k;
    return v;
  }
};

const char* kind_name(Value::Kind k) {
  switch (k) {
    case Value::Kind::kNone:
      return "None";
    case Value::Kind::kBool:
      return "a bool";
    case Value::Kind::kInt:
      return "an int";
    case Value::Kind::kFloat:
      return "a float";
    case Value::Kind::kString:
      return "a string";
    case Value::Kind::kTensor:
      return "a tensor";
    case Value::Kind::kList:
      return "a list";
    case Value::Kind::kTuple:
      return "a tuple";
    case Value::Kind::kDict:
      return "a dict";
    case Value::Kind::kGlobal:
      return "a Python object";
    case Value::Kind::kStorage:
      return "a storage";
  }
  return "?";
}

// The element types of PyTorch's typed storages, by their pickled class name.
const std::map<std::string, at::ScalarType>& storage_types() {
  static const std::map<std::string, at::ScalarType> types = {
      {"torch.FloatStorage", at::kFloat}, {"torch.DoubleStorage", at::kDouble},
      {"torch.HalfStorage", at::kHalf},   {"torch.BFloat16Storage", at::kBFloat16},
      {"torch.LongStorage", at::kLong},   {"torch.IntStorage", at::kInt},
      {"torch.ShortStorage", at::kShort}, {"torch.CharStorage", at::kChar},
      {"torch.ByteStorage", at::kByte},   {"torch.BoolStorage", at::kBool}};
  return types;
}

constexpr size_t kMaxStack = 1 << 20;
// Nested containers are freed recursively: a state dict nests three or four deep.
constexpr int kMaxDepth = 64;
// Elements a tensor with a zero stride (a broadcast view) may show.
constexpr int64_t kMaxBroadcast = int64_t{1} << 28;

// Runs the pickle program of a state dict (protocols 2 to 4), reading storages from `zip`.
class Unpickler {
 public:
  Unpickler(const std::string& file, const std::string& program,
            caffe2::serialize::PyTorchStreamReader& zip)
      : file_(file), program_(program), zip_(zip) {}

  ValuePtr run() {
    while (true) {
      const uint8_t op = byte();
      switch (op) {
        case 0x80:
          byte();
          break;  // PROTO
        case 0x95:
          take(8);
          break;  // FRAME
        case '.':
          return pop();  // STOP
        case 'c': {      // GLOBAL
          auto g = Value::of(Value::Kind::kGlobal);
          const std::string module = line();
          g->text = module + "." + line();
          push(g);
          break;
        }
        case 0x93: {  // STACK_GLOBAL
          const ValuePtr name = pop();
          const ValuePtr module = pop();
          auto g = Value::of(Value::Kind::kGlobal);
          g->text = module->text + "." + name->text;
          push(g);
          break;
        }
        case 'q':
          memo_[byte()] = top();
          break;  // BINPUT
        case 'r':
          memo_[le(4)] = top();
          break;  // LONG_BINPUT
        case 'p':
          memo_[static_cast<uint64_t>(decimal(line()))] = top();
          break;  // PUT
        case 0x94:
          memo_[memo_.size()] = top();
          break;  // MEMOIZE
        case 'h':
          push(memo(byte()));
          break;  // BINGET
        case 'j':
          push(memo(le(4)));
          break;  // LONG_BINGET
        case 'g':
          push(memo(static_cast<uint64_t>(decimal(line()))));
          break;  // GET
        case '(':
          marks_.push_back(stack_.size());
          break;  // MARK
        case '}':
          push(Value::of(Value::Kind::kDict));
          break;
        case ']':
          push(Value::of(Value::Kind::kList));
          break;
        case ')':
          push(Value::of(Value::Kind::kTuple));
          break;
        case 'N':
          push(Value::of(Value::Kind::kNone));
          break;
        case 0x88:
          push(boolean(true));
          break;  // NEWTRUE
        case 0x89:
          push(boolean(false));
          break;  // NEWFALSE
        case 'X':
          push(string(take(le(4))));
          break;  // BINUNICODE
        case 0x8c:
          push(string(take(byte())));
          break;  // SHORT_BINUNICODE
        case 0x8d:
          push(string(take(le(8))));
          break;  // BINUNICODE8
        case 'T':
          push(string(take(le(4))));
          break;  // BINSTRING
        case 'U':
          push(string(take(byte())));
          break;  // SHORT_BINSTRING
        case 'B':
          push(string(take(le(4))));
          break;  // BINBYTES
        case 'C':
          push(string(take(byte())));
          break;  // SHORT_BINBYTES
        case 'V':
          push(string(line()));
          break;  // UNICODE
        case 'K':
          push(integer(byte()));
          break;  // BININT1
        case 'M':
          push(integer(static_cast<int64_t>(le(2))));
          break;  // BININT2
        case 'J':
          push(integer(static_cast<int32_t>(le(4))));
          break;  // BININT
        case 0x8a:
          push(integer(long_int(byte())));
          break;     // LONG1
        case 'I': {  // INT
          const std::string v = line();
          push(v == "01" ? boolean(true) : v == "00" ? boolean(false) : integer(decimal(v)));
          break;
        }
        case 'G': {  // BINFLOAT (big-endian)
          const std::string raw = take(8);
          uint64_t bits = 0;
          for (char c : raw)
            bits = (bits << 8) | static_cast<unsigned char>(c);
          auto v = Value::of(Value::Kind::kFloat);
          std::memcpy(&v->number, &bits, 8);
          push(v);
          break;
        }
        case 't':
          tuple(pop_to_mark());
          break;  // TUPLE
        case 0x85:
          tuple(pop_n(1));
          break;  // TUPLE1
        case 0x86:
          tuple(pop_n(2));
          break;  // TUPLE2
        case 0x87:
          tuple(pop_n(3));
          break;     // TUPLE3
        case 'l': {  // LIST
          auto v = Value::of(Value::Kind::kList);
          add(v, pop_to_mark());
          push(v);
          break;
        }
        case 'd': {  // DICT
          auto v = Value::of(Value::Kind::kDict);
          auto items = pop_to_mark();
          if (items.size() % 2 != 0)
            fail("a DICT of an odd number of items");
          add(v, std::move(items));
          push(v);
          break;
        }
        case 'a': {  // APPEND
          const ValuePtr v = pop();
          add(expect(top(), Value::Kind::kList, "APPEND"), {v});
          break;
        }
        case 'e': {  // APPENDS
          auto items = pop_to_mark();
          add(expect(top(), Value::Kind::kList, "APPENDS"), std::move(items));
          break;
        }
        case 's': {  // SETITEM
          const ValuePtr v = pop();
          const ValuePtr k = pop();
          add(expect(top(), Value::Kind::kDict, "SETITEM"), {k, v});
          break;
        }
        case 'u': {  // SETITEMS
          auto items = pop_to_mark();
          if (items.size() % 2 != 0)
            fail("SETITEMS of an odd number of items");
          add(expect(top(), Value::Kind::kDict, "SETITEMS"), std::move(items));
          break;
        }
        case 'R':     // REDUCE
        case 0x81: {  // NEWOBJ
          const ValuePtr args = pop();
          const ValuePtr fn = pop();
          push(call(fn, args));
          break;
        }
        case 'b': {  // BUILD
          pop();     // the state: an OrderedDict's `_metadata`, a parameter's attributes
          const Value::Kind k = top()->kind;
          if (k != Value::Kind::kDict && k != Value::Kind::kTensor)
            fail(fmt::format("BUILD of {}", kind_name(k)));
          break;
        }
        case 'Q':
          push(storage(pop()));
          break;  // BINPERSID
        case '0':
          pop();
          break;  // POP
        case '1':
          pop_to_mark();
          break;  // POP_MARK
        case '2':
          push(top());
          break;  // DUP
        default:
          fail(fmt::format("opcode 0x{:02x}, which state dicts do not use", op));
      }
    }
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw StorageError(file_, fmt::format("data.pkl: expected a pickled state dict, found {} at "
                                          "byte {}",
                                          what, pos_));
  }
  uint8_t byte() {
    if (pos_ >= program_.size())
      fail("the end of the pickle before its STOP");
    return static_cast<uint8_t>(program_[pos_++]);
  }
  uint64_t le(int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i)
      v |= static_cast<uint64_t>(byte()) << (8 * i);
    return v;
  }
  std::string take(uint64_t n) {
    if (n > program_.size() - pos_)
      fail(fmt::format("a value of {} bytes past the end of the pickle", n));
    std::string s = program_.substr(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return s;
  }
  std::string line() {
    const size_t end = program_.find('\n', pos_);
    if (end == std::string::npos)
      fail("a line without its end");
    std::string s = program_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return s;
  }
  int64_t long_int(uint8_t n) {
    if (n > 8)
      fail(fmt::format("an integer of {} bytes", n));
    if (n == 0)
      return 0;
    uint64_t v = le(n);
    if (n < 8 && (v >> (8 * n - 1)) & 1)
      v |= ~uint64_t{0} << (8 * n);  // sign extension
    return static_cast<int64_t>(v);
  }
  ValuePtr memo(uint64_t key) {
    const auto it = memo_.find(key);
    if (it == memo_.end())
      fail(fmt::format("a reference to memo {}, never stored", key));
    return it->second;
  }
  void push(ValuePtr v) {
    if (stack_.size() >= kMaxStack)
      fail("a stack over a million values deep");
    stack_.push_back(std::move(v));
  }
  ValuePtr& top() {
    if (stack_.empty() || (!marks_.empty() && marks_.back() == stack_.size()))
      fail("an empty stack");
    return stack_.back();
  }
  ValuePtr pop() {
    ValuePtr v = top();
    stack_.pop_back();
    return v;
  }
  std::vector<ValuePtr> pop_n(size_t n) {
    std::vector<ValuePtr> out(n);
    for (size_t i = n; i > 0; --i)
      out[i - 1] = pop();
    return out;
  }
  std::vector<ValuePtr> pop_to_mark() {
    if (marks_.empty())
      fail("a MARK that was never set");
    const size_t at = marks_.back();
    marks_.pop_back();
    std::vector<ValuePtr> out(stack_.begin() + static_cast<std::ptrdiff_t>(at), stack_.end());
    stack_.resize(at);
    return out;
  }
  void tuple(std::vector<ValuePtr> items) {
    auto v = Value::of(Value::Kind::kTuple);
    add(v, std::move(items));
    push(v);
  }
  // Puts `items` into `target`. A container, once inside another, is never changed again (what
  // pickles of state dicts do), so the depths stay true and no cycle forms.
  void add(ValuePtr& target, std::vector<ValuePtr> items) {
    if (target->placed)
      fail("a container changed after it was placed inside another");
    for (const auto& v : items) {
      if (v == target)
        fail("a container placed inside itself");
      v->placed = true;
      target->depth = std::max(target->depth, v->depth + 1);
    }
    if (target->depth > kMaxDepth)
      fail(fmt::format("containers nested over {} deep", kMaxDepth));
    target->items.insert(target->items.end(), items.begin(), items.end());
  }
  // A decimal integer on a line of the text opcodes.
  int64_t decimal(const std::string& text) {
    int64_t v = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (error != std::errc() || end != text.data() + text.size())
      fail(fmt::format("\"{}\" where a decimal integer belongs", text.substr(0, 40)));
    return v;
  }
  static ValuePtr boolean(bool b) {
    auto v = Value::of(Value::Kind::kBool);
    v->integer = b;
    return v;
  }
  static ValuePtr integer(int64_t i) {
    auto v = Value::of(Value::Kind::kInt);
    v->integer = i;
    return v;
  }
  static ValuePtr string(std::string s) {
    auto v = Value::of(Value::Kind::kString);
    v->text = std::move(s);
    return v;
  }
  ValuePtr& expect(ValuePtr& v, Value::Kind k, const char* op) {
    if (v->kind != k)
      fail(fmt::format("{} onto {}", op, kind_name(v->kind)));
    return v;
  }
  int64_t int_of(const ValuePtr& v, const char* what) {
    if (v->kind != Value::Kind::kInt)
      fail(fmt::format("{} as {}", what, kind_name(v->kind)));
    return v->integer;
  }
  std::vector<int64_t> ints_of(const ValuePtr& v, const char* what) {
    if (v->kind != Value::Kind::kTuple && v->kind != Value::Kind::kList)
      fail(fmt::format("{} as {}", what, kind_name(v->kind)));
    std::vector<int64_t> out;
    for (const auto& i : v->items)
      out.push_back(int_of(i, what));
    return out;
  }

  // BINPERSID ('storage', torch.FloatStorage, key, location, numel): the archive's data/key.
  ValuePtr storage(const ValuePtr& pid) {
    if (pid->kind != Value::Kind::kTuple || pid->items.size() < 5 ||
        pid->items[0]->kind != Value::Kind::kString || pid->items[0]->text != "storage" ||
        pid->items[1]->kind != Value::Kind::kGlobal || pid->items[2]->kind != Value::Kind::kString)
      fail("a persistent id that is not a storage");
    const auto type = storage_types().find(pid->items[1]->text);
    if (type == storage_types().end())
      fail(fmt::format("a storage of type {}", pid->items[1]->text));
    auto v = Value::of(Value::Kind::kStorage);
    v->dtype = type->second;
    v->text = pid->items[2]->text;
    v->integer = int_of(pid->items[4], "a storage size");
    return v;
  }

  // _rebuild_tensor_v2(storage, offset, size, stride, ...): a copy of the storage's view.
  ValuePtr rebuild_tensor(const std::vector<ValuePtr>& args) {
    if (args.size() < 4 || args[0]->kind != Value::Kind::kStorage)
      fail("a tensor rebuilt without its storage");
    const Value& s = *args[0];
    const int64_t offset = int_of(args[1], "a tensor offset");
    const std::vector<int64_t> size = ints_of(args[2], "a tensor size");
    const std::vector<int64_t> stride = ints_of(args[3], "a tensor stride");
    if (size.size() != stride.size())
      fail("a tensor whose size and stride differ in rank");
    const auto record = "data/" + s.text;
    if (!zip_.hasRecord(record))
      throw StorageError(file_,
                         fmt::format("expected the record {} a tensor needs, found none", record));
    auto& loaded = records_[s.text];
    if (!loaded.first) {
      auto [data, bytes] = zip_.getRecord(record);
      loaded = {std::move(data), bytes};
    }
    const int64_t element = static_cast<int64_t>(c10::elementSize(s.dtype));
    if (s.integer < 0 || static_cast<uint64_t>(s.integer) > loaded.second / element) {
      throw StorageError(file_, fmt::format("{}: expected {} elements of {} bytes, found {} bytes",
                                            record, s.integer, element, loaded.second));
    }
    // The last element the view reaches, and how many it shows, without overflow.
    int64_t last = offset;
    int64_t numel = 1;
    bool empty = false;
    bool broadcast = false;
    for (size_t k = 0; k < size.size(); ++k) {
      if (size[k] < 0 || stride[k] < 0)
        fail("a negative tensor size or stride");
      empty = empty || size[k] == 0;
      broadcast = broadcast || stride[k] == 0;
      int64_t reach = 0;
      if (size[k] > 0 && (__builtin_mul_overflow(size[k] - 1, stride[k], &reach) ||
                          __builtin_add_overflow(last, reach, &last)))
        fail("a tensor whose strides reach past 2^63");
      if (__builtin_mul_overflow(numel, size[k], &numel))
        fail("a tensor of more than 2^63 elements");
    }
    if (offset < 0 || (!empty && last >= s.integer)) {
      throw StorageError(file_, fmt::format("{}: a tensor reaches element {} of a storage of {}",
                                            record, last, s.integer));
    }
    if (broadcast && numel > kMaxBroadcast) {
      throw StorageError(file_, fmt::format("{}: a broadcast tensor of {} elements (at most {})",
                                            record, numel, kMaxBroadcast));
    }
    auto v = Value::of(Value::Kind::kTensor);
    auto* base = static_cast<char*>(loaded.first.get());
    v->tensor = empty ? at::empty(size, at::TensorOptions().dtype(s.dtype))
                      : at::from_blob(base + offset * element, size, stride,
                                      at::TensorOptions().dtype(s.dtype))
                            .clone(at::MemoryFormat::Contiguous);
    return v;
  }

  ValuePtr call(const ValuePtr& fn, const ValuePtr& args) {
    if (fn->kind != Value::Kind::kGlobal || args->kind != Value::Kind::kTuple)
      fail(fmt::format("a call of {}", kind_name(fn->kind)));
    const std::string& name = fn->text;
    if (name == "collections.OrderedDict" || name == "builtins.dict" ||
        name == "__builtin__.dict") {
      auto d = Value::of(Value::Kind::kDict);
      if (!args->items.empty() && args->items[0]->kind == Value::Kind::kList) {
        for (const auto& pair : args->items[0]->items) {
          if (pair->kind != Value::Kind::kTuple || pair->items.size() != 2)
            fail("an OrderedDict built from something other than pairs");
          add(d, {pair->items[0], pair->items[1]});
        }
      }
      return d;
    }
    if (name == "torch._utils._rebuild_tensor_v2" || name == "torch._utils._rebuild_tensor")
      return rebuild_tensor(args->items);
    if (name == "torch.jit._pickle.restore_type_tag") {
      // LibTorch's pickler (`write`) tags typed dicts: (the dict, "Dict[str, Tensor]").
      if (args->items.empty())
        fail("a type tag without its value");
      return args->items[0];
    }
    if (name == "torch._utils._rebuild_parameter" ||
        name == "torch._utils._rebuild_parameter_with_state") {
      if (args->items.empty() || args->items[0]->kind != Value::Kind::kTensor)
        fail("a parameter without its tensor");
      return args->items[0];
    }
    throw StorageError(file_, fmt::format("data.pkl: expected a state dict of tensors, found the "
                                          "Python object {} (save model.state_dict())",
                                          name));
  }

  const std::string& file_;
  const std::string& program_;
  caffe2::serialize::PyTorchStreamReader& zip_;
  size_t pos_ = 0;
  std::vector<ValuePtr> stack_;
  std::vector<size_t> marks_;
  std::map<uint64_t, ValuePtr> memo_;
  std::map<std::string, std::pair<at::DataPtr, size_t>> records_;
};

}  // namespace

StateDict TorchStateDict::read(const std::string& path) {
  {
    std::ifstream in(path, std::ios::binary);
    if (!in)
      throw StorageError(path, "expected a PyTorch file, found none (or it cannot be read)");
    char magic[2] = {0, 0};
    in.read(magic, 2);
    if (static_cast<unsigned char>(magic[0]) == 0x80 && magic[1] == 0x02) {
      throw StorageError(path,
                         "expected PyTorch's zip format, found its legacy format (re-save "
                         "it with torch.save in PyTorch 1.6 or later, without "
                         "_use_new_zipfile_serialization=False)");
    }
    if (magic[0] != 'P' || magic[1] != 'K')
      throw StorageError(path, "expected PyTorch's zip format (torch.save), found another file");
  }
  std::unique_ptr<caffe2::serialize::PyTorchStreamReader> zip;
  std::string program;
  try {
    zip = std::make_unique<caffe2::serialize::PyTorchStreamReader>(path);
    if (!zip->hasRecord("data.pkl"))
      throw StorageError(path, "expected a data.pkl record (torch.save), found none");
    const auto [data, size] = zip->getRecord("data.pkl");
    program.assign(static_cast<const char*>(data.get()), size);
  } catch (const c10::Error& e) {
    throw StorageError(path, fmt::format("expected PyTorch's zip format, found a broken archive "
                                         "({})",
                                         e.what_without_backtrace()));
  }
  ValuePtr root;
  try {
    root = Unpickler(path, program, *zip).run();
  } catch (const c10::Error& e) {
    throw StorageError(path,
                       fmt::format("cannot read its tensors: {}", e.what_without_backtrace()));
  }
  if (root->kind != Value::Kind::kDict)
    throw StorageError(path, fmt::format("expected a state dict, found {}", kind_name(root->kind)));
  // A checkpoint wrapping its state dict.
  for (size_t i = 0; i + 1 < root->items.size(); i += 2) {
    const auto& k = root->items[i];
    const auto& v = root->items[i + 1];
    if (k->kind == Value::Kind::kString && (k->text == "state_dict" || k->text == "model") &&
        v->kind == Value::Kind::kDict) {
      root = v;
      break;
    }
  }
  StateDict out;
  for (size_t i = 0; i + 1 < root->items.size(); i += 2) {
    const auto& k = root->items[i];
    const auto& v = root->items[i + 1];
    if (k->kind != Value::Kind::kString)
      throw StorageError(
          path, fmt::format("expected tensor names as keys, found {}", kind_name(k->kind)));
    if (v->kind != Value::Kind::kTensor)
      throw StorageError(
          path, fmt::format("{}: expected a tensor, found {}", k->text, kind_name(v->kind)));
    at::Tensor t = v->tensor;
    if (at::isFloatingType(t.scalar_type()))
      t = t.to(at::kFloat);
    out.emplace_back(k->text, t);
  }
  return out;
}

void TorchStateDict::write(const std::string& path, const StateDict& tensors) {
  c10::impl::GenericDict dict(c10::StringType::get(), c10::TensorType::get());
  for (const auto& [name, t] : tensors)
    dict.insert(name, t.contiguous());
  const std::vector<char> bytes = torch::jit::pickle_save(dict);
  write_atomically(path, bytes.data(), bytes.size(), 0644);
}

}  // namespace evostream::storage
