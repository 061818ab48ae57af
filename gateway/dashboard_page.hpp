#pragma once

#include <string>

namespace evostream::gateway {

/// The dashboard `GET /` serves: one self-contained HTML page (its styles and script inline,
/// nothing fetched from elsewhere) that follows `/events` and polls `/status` and `/tasks`.
/// Its source is `gateway/dashboard.html`, built into the program.
const std::string& dashboard_page();

}  // namespace evostream::gateway
