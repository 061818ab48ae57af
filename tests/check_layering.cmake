# Fails when a source file includes a layer above its own, or a library it must not see.
# Layering: common <- config <- streams <- model <- storage <- actors <- app, model <- report <-
# app, and streams <- gateway <- app (the HTTP server: no Torch, no CAF). Only actors/ (and app/)
# include CAF; only storage/ includes HDF5; common/, config/ and streams/ stay free of Torch so
# they compile fast; config/ reads scenarios without loading a dataset.
set(forbidden_common "config/" "streams/" "model/" "storage/" "actors/" "app/" "report/" "gateway/"
    "caf/" "torch/" "ATen/" "H5Cpp.h" "hdf5.h" "fmt/" "toml")
set(forbidden_config "streams/" "model/" "storage/" "actors/" "app/" "report/" "gateway/" "caf/"
    "torch/" "ATen/" "H5Cpp.h" "hdf5.h")
set(forbidden_streams "model/" "storage/" "actors/" "app/" "report/" "caf/" "torch/" "ATen/" "H5Cpp.h" "hdf5.h")
set(forbidden_model "storage/" "actors/" "app/" "report/" "caf/" "H5Cpp.h" "hdf5.h")
set(forbidden_report "storage/" "actors/" "app/" "caf/" "H5Cpp.h" "hdf5.h")
set(forbidden_storage "actors/" "app/" "report/" "caf/")
set(forbidden_actors "app/" "report/" "H5Cpp.h" "hdf5.h")
set(forbidden_app "H5Cpp.h" "hdf5.h")
set(forbidden_gateway "model/" "storage/" "actors/" "app/" "report/" "caf/" "torch/" "ATen/" "H5Cpp.h"
    "hdf5.h")

set(violations "")
foreach(layer common config streams model report storage actors gateway app)
  file(GLOB_RECURSE sources "${SOURCE_DIR}/${layer}/*.hpp" "${SOURCE_DIR}/${layer}/*.cpp")
  foreach(source ${sources})
    file(STRINGS "${source}" includes REGEX "^[ \t]*#[ \t]*include")
    foreach(line ${includes})
      foreach(bad ${forbidden_${layer}})
        string(FIND "${line}" "${bad}" at)
        if(NOT at EQUAL -1)
          string(APPEND violations "\n  ${source}: ${line}")
        endif()
      endforeach()
    endforeach()
  endforeach()
endforeach()
# Strategy options build without Torch or CAF (their own target): they include the config
# layer and other options headers only.
file(GLOB_RECURSE option_sources "${SOURCE_DIR}/model/strategies/*_options.hpp"
     "${SOURCE_DIR}/model/strategies/*_options.cpp")
foreach(source ${option_sources})
  file(STRINGS "${source}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
  foreach(line ${includes})
    if(line MATCHES "torch/|ATen/|caf/|H5Cpp.h|hdf5.h|streams/|storage/|actors/|app/|report/")
      string(APPEND violations "\n  ${source}: ${line}")
    elseif(line MATCHES "\"model/" AND NOT line MATCHES "_options\\.hpp\"")
      string(APPEND violations "\n  ${source}: ${line} (options include other options only)")
    endif()
  endforeach()
endforeach()

if(violations)
  message(FATAL_ERROR "layering violations:${violations}")
endif()
message(STATUS "layering: ok")
