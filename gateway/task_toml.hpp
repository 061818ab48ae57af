#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace evostream::gateway {

/// A task sent as JSON, as the TOML of a scenario extension: the object's fields become one
/// `[[tasks]]` entry, except `datasets`, an object of dataset tables, which become
/// `[datasets.NAME]` tables. Field names and values are carried over as they are (strings,
/// numbers, booleans, arrays, objects as inline tables), so the scenario parser validates them
/// with its own messages. Raises `std::invalid_argument` naming the field for what TOML cannot
/// hold (null) or a body that is not an object.
std::string task_toml(const nlohmann::json& task);

}  // namespace evostream::gateway
