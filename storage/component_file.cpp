#include "storage/component_file.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <hdf5.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "common/content_hash.hpp"
#include "storage/atomic_file.hpp"
#include "storage/storage_error.hpp"

namespace evostream::storage {

namespace {

// Owns an HDF5 identifier and closes it with the matching function.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Handle() {
    if (id_ >= 0)
      close_(id_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept : id_(other.id_), close_(other.close_) { other.id_ = -1; }
  operator hid_t() const { return id_; }
  bool valid() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

void quiet_hdf5() {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

// -- writing ---------------------------------------------------------------------------------

// Strings are variable-length UTF-8, which h5py reads as `str` (fixed-length ones, which files
// before these had, it reads as `bytes`; both are read here).
Handle string_type() {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  return type;
}

void put_string(hid_t obj, const char* name, const std::string& value, const std::string& file) {
  Handle type = string_type();
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle attr(H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  const char* text = value.c_str();
  if (!attr.valid() || H5Awrite(attr, type, &text) < 0) {
    throw StorageError(file, fmt::format("cannot write attribute {}", name));
  }
}

// The group name of a component: its id, with '/' (HDF5's separator) written as ':'.
std::string group_name(const std::string& id) {
  std::string name = id;
  std::replace(name.begin(), name.end(), '/', ':');
  return name;
}

void put_int(hid_t obj, const char* name, int64_t value, const std::string& file) {
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle attr(H5Acreate2(obj, name, H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (!attr.valid() || H5Awrite(attr, H5T_NATIVE_INT64, &value) < 0) {
    throw StorageError(file, fmt::format("cannot write attribute {}", name));
  }
}

// A tensor is stored as float32, or as uint8 or int64 when it holds those (bit-packed masks,
// seeds); any other type is stored as float32.
void put_tensor(hid_t group, const std::string& name, const at::Tensor& t,
                const std::string& file) {
  const at::ScalarType type = t.scalar_type();
  const bool exact = type == at::kByte || type == at::kLong;
  const at::Tensor data = (exact ? t.detach() : t.detach().to(at::kFloat)).contiguous();
  const hid_t stored = type == at::kByte   ? H5T_STD_U8LE
                       : type == at::kLong ? H5T_STD_I64LE
                                           : H5T_IEEE_F32LE;
  const hid_t memory = type == at::kByte   ? H5T_NATIVE_UINT8
                       : type == at::kLong ? H5T_NATIVE_INT64
                                           : H5T_NATIVE_FLOAT;
  std::vector<hsize_t> dims(data.sizes().begin(), data.sizes().end());
  Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
  Handle ds(H5Dcreate2(group, name.c_str(), stored, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
            H5Dclose);
  if (!ds.valid() || H5Dwrite(ds, memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data_ptr()) < 0) {
    throw StorageError(file, fmt::format("cannot write dataset {}", name));
  }
}

// -- reading ---------------------------------------------------------------------------------

void put_text(hid_t obj, const std::string& name, const std::string& text,
              const std::string& file) {
  Handle type = string_type();
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle ds(H5Dcreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
            H5Dclose);
  const char* data = text.c_str();
  if (!ds.valid() || H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, &data) < 0)
    throw StorageError(file, fmt::format("cannot write text dataset {}", name));
}

// A scalar string of `type` (variable-length or fixed) read by `read(memory type, buffer)`.
template <typename Read>
bool read_string(hid_t type, std::string& value, Read read) {
  if (H5Tis_variable_str(type) > 0) {
    Handle mem = string_type();
    H5Tset_cset(mem, H5Tget_cset(type));
    char* text = nullptr;
    if (read(static_cast<hid_t>(mem), static_cast<void*>(&text)) < 0)
      return false;
    value = text != nullptr ? text : "";
    H5free_memory(text);
    return true;
  }
  value.assign(H5Tget_size(type), '\0');
  Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(mem, value.size());
  H5Tset_strpad(mem, H5T_STR_NULLPAD);
  if (read(static_cast<hid_t>(mem), static_cast<void*>(value.data())) < 0)
    return false;
  value.erase(value.find_last_not_of('\0') + 1);
  return true;
}

std::string get_text(hid_t obj, const std::string& name, const std::string& file) {
  Handle ds(H5Dopen2(obj, name.c_str(), H5P_DEFAULT), H5Dclose);
  Handle type(H5Dget_type(ds), H5Tclose);
  Handle space(H5Dget_space(ds), H5Sclose);
  if (!ds.valid() || H5Tget_class(type) != H5T_STRING ||
      H5Sget_simple_extent_type(space) != H5S_SCALAR)
    throw StorageError(file, fmt::format("/{}: expected a text dataset", name));
  std::string value;
  if (!read_string(type, value, [&](hid_t mem, void* buf) {
        return H5Dread(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
      }))
    throw StorageError(file, fmt::format("/{}: cannot read the text", name));
  return value;
}

bool is_dataset(hid_t parent, const std::string& name) {
  const hid_t o = H5Oopen(parent, name.c_str(), H5P_DEFAULT);
  if (o < 0)
    return false;
  const bool yes = H5Iget_type(o) == H5I_DATASET;
  H5Oclose(o);
  return yes;
}

std::string get_string(hid_t obj, const char* name, const std::string& file,
                       const std::string& where) {
  if (H5Aexists(obj, name) <= 0) {
    throw StorageError(file,
                       fmt::format("{}: expected a string attribute {}, found none", where, name));
  }
  Handle attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
  Handle type(H5Aget_type(attr), H5Tclose);
  Handle space(H5Aget_space(attr), H5Sclose);
  if (H5Tget_class(type) != H5T_STRING || H5Sget_simple_extent_type(space) != H5S_SCALAR) {
    throw StorageError(file, fmt::format("{}: attribute {} must be a string", where, name));
  }
  std::string value;
  if (!read_string(type, value, [&](hid_t mem, void* buf) { return H5Aread(attr, mem, buf); })) {
    throw StorageError(file, fmt::format("{}: cannot read attribute {}", where, name));
  }
  return value;
}

int64_t get_int(hid_t obj, const char* name, const std::string& file, const std::string& where) {
  if (H5Aexists(obj, name) <= 0) {
    throw StorageError(
        file, fmt::format("{}: expected an integer attribute {}, found none", where, name));
  }
  Handle attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
  Handle type(H5Aget_type(attr), H5Tclose);
  int64_t value = 0;
  if (H5Tget_class(type) != H5T_INTEGER || H5Aread(attr, H5T_NATIVE_INT64, &value) < 0) {
    throw StorageError(file, fmt::format("{}: attribute {} must be an integer", where, name));
  }
  return value;
}

Handle open_group(hid_t parent, const std::string& name, const std::string& file) {
  if (H5Lexists(parent, name.c_str(), H5P_DEFAULT) <= 0) {
    throw StorageError(file, fmt::format("expected group {}, found none", name));
  }
  {
    Handle object(H5Oopen(parent, name.c_str(), H5P_DEFAULT), H5Oclose);
    if (!object.valid() || H5Iget_type(object) != H5I_GROUP) {
      throw StorageError(file,
                         fmt::format("expected {} to be a group, found another object", name));
    }
  }
  return Handle(H5Gopen2(parent, name.c_str(), H5P_DEFAULT), H5Gclose);
}

at::Tensor get_tensor(hid_t group, const std::string& name, const std::string& file,
                      const std::string& where) {
  Handle ds(H5Dopen2(group, name.c_str(), H5P_DEFAULT), H5Dclose);
  if (!ds.valid()) {
    throw StorageError(
        file, fmt::format("{}/{}: expected a tensor dataset, found another object", where, name));
  }
  Handle type(H5Dget_type(ds), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type);
  const size_t size = H5Tget_size(type);
  const bool is_float = cls == H5T_FLOAT && size == 4;
  const bool is_byte = cls == H5T_INTEGER && size == 1 && H5Tget_sign(type) == H5T_SGN_NONE;
  const bool is_long = cls == H5T_INTEGER && size == 8 && H5Tget_sign(type) == H5T_SGN_2;
  if (!is_float && !is_byte && !is_long) {
    throw StorageError(file,
                       fmt::format("{}/{}: expected float32, uint8 or int64 data, found {} "
                                   "of {} bytes",
                                   where, name, cls == H5T_FLOAT ? "floats" : "non-floats", size));
  }
  Handle space(H5Dget_space(ds), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(static_cast<size_t>(std::max(rank, 0)));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  std::vector<int64_t> shape(dims.begin(), dims.end());
  at::Tensor t = at::empty(shape, is_float ? at::kFloat : is_byte ? at::kByte : at::kLong);
  const hid_t memory = is_float ? H5T_NATIVE_FLOAT : is_byte ? H5T_NATIVE_UINT8 : H5T_NATIVE_INT64;
  if (H5Dread(ds, memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.data_ptr()) < 0) {
    throw StorageError(file, fmt::format("{}/{}: cannot read the data", where, name));
  }
  return t;
}

std::vector<std::string> members(hid_t group) {
  H5G_info_t info;
  H5Gget_info(group, &info);
  std::vector<std::string> out;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t len =
        H5Lget_name_by_idx(group, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    std::string name(static_cast<size_t>(std::max<ssize_t>(len, 0)) + 1, '\0');
    H5Lget_name_by_idx(group, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, i, name.data(), name.size(),
                       H5P_DEFAULT);
    name.resize(static_cast<size_t>(std::max<ssize_t>(len, 0)));
    out.push_back(name);
  }
  return out;
}

// The group, inside a component's, that holds its momentum traces under its tensors' names.
constexpr const char* kMomentumGroup = "momentum";
// The group that holds Adam's second moments, when the component carries its optimizer state.
constexpr const char* kSecondMomentGroup = "second_moment";

// Groups that remember the order their members were created in (tensor order matters).
Handle ordered_group(hid_t parent, const std::string& name) {
  Handle props(H5Pcreate(H5P_GROUP_CREATE), H5Pclose);
  H5Pset_link_creation_order(props, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
  return Handle(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, props, H5P_DEFAULT), H5Gclose);
}

// The user block at the start of every file evostream writes: a check of the bytes after it.
constexpr size_t kCheckBlock = 512;
constexpr const char* kCheckMagic = "evostream-checked\n";
constexpr const char* kHdf5Signature = "\x89HDF\r\n\x1a\n";

std::string content_digest(const std::vector<unsigned char>& bytes) {
  return common::ContentHash().update(bytes.data() + kCheckBlock, bytes.size() - kCheckBlock).hex();
}

// The text of the check block for `image` (whose first kCheckBlock bytes it will replace).
std::string check_block(const std::vector<unsigned char>& image) {
  std::string block =
      fmt::format("{}size {}\nhash {}\n", kCheckMagic, image.size(), content_digest(image));
  block.resize(kCheckBlock, '\0');
  return block;
}

// Verifies the check block of `bytes`, read from `path`; returns false when there is none.
bool verify_check_block(const std::vector<unsigned char>& bytes, const std::string& path) {
  const std::string magic(kCheckMagic);
  if (bytes.size() < kCheckBlock || std::memcmp(bytes.data(), magic.data(), magic.size()) != 0)
    return false;
  const std::string block(bytes.begin(), bytes.begin() + kCheckBlock);
  unsigned long long size = 0;
  unsigned long long stored = 0;
  if (std::sscanf(block.c_str() + magic.size(), "size %llu\nhash %16llx\n", &size, &stored) != 2) {
    throw StorageError(path, "expected the check block (size and hash), found it damaged");
  }
  if (size != bytes.size()) {
    throw StorageError(path, fmt::format("truncated or extended: the check block says {} bytes, "
                                         "found {}",
                                         size, bytes.size()));
  }
  // Compared as numbers: a text comparison would also hand a fuzzer's comparison tracing the
  // digest to copy into its input.
  const uint64_t found =
      common::ContentHash().update(bytes.data() + kCheckBlock, bytes.size() - kCheckBlock).digest();
  if (found != stored) {
    throw StorageError(path, fmt::format("whole-file checksum mismatch: expected {:016x}, found "
                                         "{:016x} (the file is corrupt; HDF5 was not given it)",
                                         stored, found));
  }
  return true;
}

}  // namespace

void ComponentFile::write(const std::string& path, const config::ArchitectureSpec& a,
                          const std::vector<model::Component>& components,
                          const FileExtras& extras) {
  quiet_hdf5();
  // HDF5 builds the file in memory (its core driver, no backing store) and evostream writes the
  // image: every disk error is then one of ours, reported with its errno, and HDF5 is never left
  // holding a file it could not flush (which crashed the process at exit on a full disk).
  std::vector<unsigned char> image;
  {
    Handle props(H5Pcreate(H5P_FILE_CREATE), H5Pclose);
    H5Pset_link_creation_order(props, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
    H5Pset_userblock(props, kCheckBlock);
    Handle access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    H5Pset_fapl_core(access, size_t{1} << 20, 0);
    Handle f(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, props, access), H5Fclose);
    if (!f.valid())
      throw StorageError(path, "cannot create the file in memory");
    put_string(f, "format", extras.format, path);
    put_int(f, "version", kVersion, path);
    Handle arch = ordered_group(f, "architecture");
    put_string(arch, "name", a.name, path);
    put_int(arch, "image_size", a.image_size, path);
    put_int(arch, "channels", a.channels, path);
    put_int(arch, "patch", a.patch, path);
    put_int(arch, "dim", a.dim, path);
    put_int(arch, "depth", a.depth, path);
    put_int(arch, "heads", a.heads, path);
    put_int(arch, "mlp", a.mlp, path);
    put_string(arch, "family", a.family, path);
    if (a.family == "moe-vit") {
      put_int(arch, "experts", a.experts, path);
      put_int(arch, "top_k", a.top_k, path);
      put_int(arch, "moe_every", a.moe_every, path);
      if (a.attention_experts > 0)
        put_int(arch, "attention_experts", a.attention_experts, path);
    }
    Handle all = ordered_group(f, "components");
    for (size_t i = 0; i < components.size(); ++i) {
      const model::Component& c = components[i];
      Handle g = ordered_group(all, group_name(c.id()));
      if (!g.valid()) {
        throw StorageError(path, fmt::format("cannot write group /components/{} (two components "
                                             "of one name?)",
                                             group_name(c.id())));
      }
      put_string(g, "id", c.id(), path);
      put_string(g, "kind", model::kind_name(c.kind()), path);
      put_int(g, "index", c.index(), path);
      put_string(g, "owner", c.owner(), path);
      put_string(g, "parent", c.parent(), path);
      put_string(g, "content_hash", c.content_hash(), path);
      for (size_t t = 0; t < c.names().size(); ++t)
        put_tensor(g, c.names()[t], c.tensors()[t], path);
      if (!c.momentum().empty()) {
        put_string(g, "momentum_hash", c.momentum_hash(), path);
        Handle m = ordered_group(g, kMomentumGroup);
        for (size_t t = 0; t < c.names().size(); ++t)
          put_tensor(m, c.names()[t], c.momentum()[t], path);
      }
      if (!c.second_moment().empty()) {
        put_int(g, "optimizer_steps", c.optimizer_steps(), path);
        Handle v = ordered_group(g, kSecondMomentGroup);
        for (size_t t = 0; t < c.names().size(); ++t)
          put_tensor(v, c.names()[t], c.second_moment()[t], path);
      }
    }
    for (const auto& [name, text] : extras.texts)
      put_text(f, name, text, path);
    if (H5Fflush(f, H5F_SCOPE_GLOBAL) < 0)
      throw StorageError(path, "cannot finish the file in memory");
    const ssize_t size = H5Fget_file_image(f, nullptr, 0);
    if (size <= 0)
      throw StorageError(path, "cannot take the file's image");
    image.resize(static_cast<size_t>(size));
    if (H5Fget_file_image(f, image.data(), image.size()) != size)
      throw StorageError(path, "cannot take the file's image");
  }
  // HDF5 leaves the user block out of the image: it goes in front.
  image.insert(image.begin(), kCheckBlock, 0);
  const std::string check = check_block(image);
  std::copy(check.begin(), check.end(), image.begin());
  write_atomically(path, image.data(), image.size(), 0644, extras.kill_before_flush);
}

ComponentSet ComponentFile::read(const std::string& path, const std::string& expected_format,
                                 bool require_check) {
  quiet_hdf5();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw StorageError(path, "file not found");
  // Read whole and checked before HDF5 sees a byte; HDF5 then parses the bytes in memory.
  const auto size = std::filesystem::file_size(path, ec);
  if (ec)
    throw StorageError(path, "cannot read: " + ec.message());
  std::vector<unsigned char> bytes(static_cast<size_t>(size));
  {
    std::ifstream in(path, std::ios::binary);
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!in || in.gcount() != static_cast<std::streamsize>(bytes.size()))
      throw StorageError(path, fmt::format("cannot read: {}", std::strerror(errno)));
  }
  const bool checked = verify_check_block(bytes, path);
  // HDF5 looks for its signature at 0, 512, 1024, 2048, ... (after a user block of that size).
  const std::string signature(kHdf5Signature);
  const auto signed_at = [&](size_t at) {
    return bytes.size() >= at + signature.size() &&
           std::memcmp(bytes.data() + at, signature.data(), signature.size()) == 0;
  };
  bool found = checked ? signed_at(kCheckBlock) : signed_at(0);
  for (size_t at = kCheckBlock; !checked && !found && at < bytes.size(); at *= 2)
    found = signed_at(at);
  if (!found)
    throw StorageError(path, "expected an HDF5 file, found something else");
  if (!checked && require_check) {
    throw StorageError(path,
                       "expected a file evostream wrote (it begins with its check block), "
                       "found an HDF5 file without one");
  }
  Handle access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  H5Pset_fapl_core(access, size_t{1} << 20, 0);
  H5Pset_file_image(access, bytes.data(), bytes.size());
  // A name no file has: given an existing file's name, the core driver would not take the image.
  const std::string image_name = "evostream-image:" + path;
  Handle f(H5Fopen(image_name.c_str(), H5F_ACC_RDONLY, access), H5Fclose);
  if (!f.valid())
    throw StorageError(path, "cannot open the HDF5 file");
  const std::string format = get_string(f, "format", path, "/");
  if (format != expected_format) {
    throw StorageError(
        path, fmt::format("/: expected format \"{}\", found \"{}\"", expected_format, format));
  }
  const int64_t version = get_int(f, "version", path, "/");
  if (version != kVersion) {
    throw StorageError(path, fmt::format("/: expected version {}, found {}", kVersion, version));
  }
  ComponentSet out;
  Handle arch = open_group(f, "architecture", path);
  config::ArchitectureSpec& a = out.architecture;
  a.name = get_string(arch, "name", path, "/architecture");
  a.image_size = get_int(arch, "image_size", path, "/architecture");
  a.channels = get_int(arch, "channels", path, "/architecture");
  a.patch = get_int(arch, "patch", path, "/architecture");
  a.dim = get_int(arch, "dim", path, "/architecture");
  a.depth = get_int(arch, "depth", path, "/architecture");
  a.heads = get_int(arch, "heads", path, "/architecture");
  a.mlp = get_int(arch, "mlp", path, "/architecture");
  // Files written before families were recorded hold ViTs.
  a.family =
      H5Aexists(arch, "family") > 0 ? get_string(arch, "family", path, "/architecture") : "vit";
  if (a.family == "moe-vit") {
    a.experts = get_int(arch, "experts", path, "/architecture");
    a.top_k = get_int(arch, "top_k", path, "/architecture");
    a.moe_every = get_int(arch, "moe_every", path, "/architecture");
    // Written only when positive (files of dense attention match those before the key).
    a.attention_experts = H5Aexists(arch, "attention_experts") > 0
                              ? get_int(arch, "attention_experts", path, "/architecture")
                              : 0;
  }
  Handle all = open_group(f, "components", path);
  const std::vector<std::string> groups = members(all);
  // In the order they were written: named by id (`root:block2`), or by position in files
  // before those.
  for (size_t i = 0; i < groups.size(); ++i) {
    const std::string where = "/components/" + groups[i];
    Handle g = open_group(all, groups[i], path);
    std::vector<std::string> names;
    std::vector<at::Tensor> tensors;
    bool has_momentum = false;
    bool has_second = false;
    for (const auto& name : members(g)) {
      if (name == kMomentumGroup && !is_dataset(g, name)) {
        has_momentum = true;
        continue;
      }
      if (name == kSecondMomentGroup && !is_dataset(g, name)) {
        has_second = true;
        continue;
      }
      names.push_back(name);
      tensors.push_back(get_tensor(g, name, path, where));
    }
    model::ComponentKind kind;
    const std::string kind_text = get_string(g, "kind", path, where);
    try {
      kind = model::kind_from_name(kind_text);
    } catch (const std::invalid_argument&) {
      throw StorageError(
          path, fmt::format("{}: expected a component kind, found \"{}\"", where, kind_text));
    }
    out.components.emplace_back(
        get_string(g, "id", path, where), kind, get_int(g, "index", path, where),
        get_string(g, "owner", path, where), get_string(g, "parent", path, where), std::move(names),
        std::move(tensors));
    if (has_second && !has_momentum) {
      throw StorageError(path, fmt::format("{}/{}: Adam's second moments without first moments",
                                           where, kSecondMomentGroup));
    }
    if (has_momentum) {
      const std::string traces_at = where + "/" + kMomentumGroup;
      const std::vector<std::string>& tensor_names = out.components.back().names();
      // The traces of one group, one per tensor.
      auto read_traces = [&](const char* group, const std::string& at, const char* what) {
        Handle m = open_group(g, group, path);
        std::vector<at::Tensor> traces;
        for (const auto& name : tensor_names)
          traces.push_back(get_tensor(m, name, path, at));
        if (members(m).size() != tensor_names.size()) {
          throw StorageError(path, fmt::format("{}: expected {} {}, found {}", at,
                                               tensor_names.size(), what, members(m).size()));
        }
        return traces;
      };
      std::vector<at::Tensor> traces = read_traces(kMomentumGroup, traces_at, "momentum traces");
      try {
        if (has_second) {
          const std::string second_at = where + "/" + kSecondMomentGroup;
          out.components.back() = out.components.back().with_adam_state(
              std::move(traces), read_traces(kSecondMomentGroup, second_at, "second moments"),
              get_int(g, "optimizer_steps", path, where));
        } else {
          out.components.back() = out.components.back().with_momentum(std::move(traces));
        }
      } catch (const std::invalid_argument& e) {
        throw StorageError(path, fmt::format("{}: {}", traces_at, e.what()));
      }
      // Training state has its own checksum: a corrupted trace would change every later result.
      if (H5Aexists(g, "momentum_hash") > 0) {
        const std::string stored = get_string(g, "momentum_hash", path, where);
        const std::string found = out.components.back().momentum_hash();
        if (stored != found) {
          throw StorageError(
              path, fmt::format("{} ({}): momentum checksum mismatch: expected {}, found {}",
                                traces_at, out.components.back().id(), stored, found));
        }
      }
    }
    if (H5Aexists(g, "content_hash") > 0) {
      const std::string stored = get_string(g, "content_hash", path, where);
      const std::string found = out.components.back().content_hash();
      if (stored != found) {
        throw StorageError(path, fmt::format("{} ({}): checksum mismatch: expected {}, found {}",
                                             where, out.components.back().id(), stored, found));
      }
    }
  }
  for (const auto& name : members(f)) {
    if (is_dataset(f, name))
      out.texts[name] = get_text(f, name, path);
  }
  return out;
}

}  // namespace evostream::storage
