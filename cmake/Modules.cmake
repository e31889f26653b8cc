# sg_add_module(): one call per module in src/ (abseil's absl_cc_library idea). It makes the
# static library sg_<name>, its alias socialgate::<name>, puts src/ on its include path (headers
# are included as "module/file.hpp"), and links the warning flags privately.
#
#   sg_add_module(store
#     SOURCES open_store.cpp sqlite/...
#     PUBLIC  socialgate::core            # what the module's headers expose
#     PRIVATE SQLite::SQLite3 spdlog::spdlog)
#
# Both the main project and the fuzz project (tests/fuzz) include this file and add the same
# src/ directories, so a module is described once and the fuzzers link the very same libraries.
include_guard(GLOBAL)

# The checkout's root, wherever the including project starts (PROJECT_SOURCE_DIR is tests/fuzz
# in the fuzz project).
get_filename_component(SG_SOURCE_DIR "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(SG_VERSION 0.1.0)

function(sg_add_module name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "" "SOURCES;PUBLIC;PRIVATE")
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "sg_add_module(${name}): SOURCES is empty")
  endif()
  add_library(sg_${name} STATIC ${ARG_SOURCES})
  add_library(socialgate::${name} ALIAS sg_${name})
  target_include_directories(sg_${name} PUBLIC ${SG_SOURCE_DIR}/src)
  target_link_libraries(sg_${name} PUBLIC ${ARG_PUBLIC} PRIVATE socialgate::warnings ${ARG_PRIVATE})
  sg_unity_build(sg_${name})
endfunction()

# sg_unity_build(): compiles a target's sources in batches of SG_UNITY_BATCH files, so the heavy
# headers (Beast, simdjson, nlohmann) are parsed and instantiated once per batch rather than once
# per file. It roughly halves the build on CI's 2 cores. SOCIALGATE_UNITY_BUILD=OFF builds file by
# file (quicker rebuilds of one file while editing; also proves every file includes what it uses).
option(SOCIALGATE_UNITY_BUILD "Compile the libraries' sources in batches" ON)
set(SG_UNITY_BATCH 8)
function(sg_unity_build target)
  if(SOCIALGATE_UNITY_BUILD)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${SG_UNITY_BATCH})
  endif()
endfunction()
