#include "gateway/task_toml.hpp"

#include <sstream>
#include <stdexcept>

namespace evostream::gateway {

namespace {

using Json = nlohmann::json;

// A TOML value for `v` (field `key`, for errors); strings and keys in JSON's quoting, which is
// TOML's basic string syntax.
std::string value(const Json& v, const std::string& key) {
  switch (v.type()) {
    case Json::value_t::string:
    case Json::value_t::boolean:
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return v.dump();
    case Json::value_t::number_float: {
      std::string s = v.dump();
      // TOML floats need a fraction or an exponent.
      if (s.find_first_of(".eE") == std::string::npos)
        s += ".0";
      return s;
    }
    case Json::value_t::array: {
      std::string out = "[";
      for (size_t i = 0; i < v.size(); ++i)
        out += (i ? ", " : "") + value(v[i], key + "[" + std::to_string(i) + "]");
      return out + "]";
    }
    case Json::value_t::object: {
      std::string out = "{";
      bool first = true;
      for (const auto& [k, item] : v.items()) {
        out += (first ? " " : ", ") + Json(k).dump() + " = " + value(item, key + "." + k);
        first = false;
      }
      return out + (first ? "}" : " }");
    }
    default:
      throw std::invalid_argument(key +
                                  ": expected a string, number, boolean, array or object, "
                                  "found " +
                                  v.dump());
  }
}

}  // namespace

std::string task_toml(const Json& task) {
  if (!task.is_object())
    throw std::invalid_argument("expected a JSON object of a task's fields, found " +
                                std::string(task.type_name()));
  std::ostringstream out;
  if (task.contains("datasets")) {
    const Json& ds = task.at("datasets");
    if (!ds.is_object())
      throw std::invalid_argument("datasets: expected an object of dataset tables, found " +
                                  std::string(ds.type_name()));
    for (const auto& [name, d] : ds.items()) {
      if (!d.is_object())
        throw std::invalid_argument("datasets." + name + ": expected an object, found " +
                                    std::string(d.type_name()));
      out << "[datasets." << Json(name).dump() << "]\n";
      for (const auto& [k, v] : d.items())
        out << Json(k).dump() << " = " << value(v, "datasets." + name + "." + k) << "\n";
    }
  }
  out << "[[tasks]]\n";
  for (const auto& [k, v] : task.items()) {
    if (k != "datasets")
      out << Json(k).dump() << " = " << value(v, k) << "\n";
  }
  return out.str();
}

}  // namespace evostream::gateway
