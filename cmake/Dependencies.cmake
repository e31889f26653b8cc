# Every dependency comes from Debian 12 packages (scripts/install-deps). Imported targets are
# made SYSTEM so -Werror applies to our code only.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(GTest REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(simdjson REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(spdlog REQUIRED)
find_package(fmt REQUIRED)
find_package(SQLite3 REQUIRED)

pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(MAGIC REQUIRED IMPORTED_TARGET libmagic)
# RE2 matches libphonenumber's own metadata (core/numbering_plans.hpp), which is read with
# protobuf, the library libphonenumber itself links.
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
pkg_check_modules(PROTOBUF REQUIRED IMPORTED_TARGET protobuf)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
# sd_notify(3), for the systemd unit's Type=notify (app/service_notify.hpp).
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)

# The executables allocate with jemalloc: under load glibc's malloc was a sixth of the gateway's
# CPU, much of it threads freeing what other threads allocated (a request is read on an I/O
# thread and stored on the committer). Off under the sanitizers, which bring their own.
if(CMAKE_CXX_FLAGS MATCHES "-fsanitize")
  set(SOCIALGATE_JEMALLOC_DEFAULT OFF)
else()
  set(SOCIALGATE_JEMALLOC_DEFAULT ON)
endif()
option(SOCIALGATE_JEMALLOC "link socialgate and fake-graph with jemalloc"
       ${SOCIALGATE_JEMALLOC_DEFAULT})
if(SOCIALGATE_JEMALLOC)
  pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
endif()

# libphonenumber ships neither a CMake config nor a .pc file.
find_path(PHONENUMBER_INCLUDE_DIR phonenumbers/phonenumberutil.h REQUIRED)
find_library(PHONENUMBER_LIBRARY phonenumber REQUIRED)
add_library(phonenumber::phonenumber UNKNOWN IMPORTED)
set_target_properties(phonenumber::phonenumber PROPERTIES
  IMPORTED_LOCATION "${PHONENUMBER_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${PHONENUMBER_INCLUDE_DIR}")

# tl::expected and CLI11 are header-only; their Debian packages put them on the default path.
find_path(TL_EXPECTED_INCLUDE_DIR tl/expected.hpp REQUIRED)
find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp REQUIRED)
