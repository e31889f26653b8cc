# One place for warning flags (abseil's copts idea). Targets opt in by linking
# socialgate::warnings; third-party headers are included as SYSTEM so they stay quiet.
#
# Warnings are errors with the compilers the project is tested with (Debian 12's g++ 12 and
# clang 14), and always in `make test` and CI, which pass -DSOCIALGATE_WERROR=ON. Another
# compiler may warn about code those accept: a newcomer's plain `make build` with it still
# builds, and shows the warnings.
if((CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12
    AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
   OR (CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 14
       AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 15))
  set(SOCIALGATE_WERROR_DEFAULT ON)
else()
  set(SOCIALGATE_WERROR_DEFAULT OFF)
endif()
option(SOCIALGATE_WERROR "treat compiler warnings as errors" ${SOCIALGATE_WERROR_DEFAULT})

add_library(socialgate_warnings INTERFACE)
add_library(socialgate::warnings ALIAS socialgate_warnings)
set(SG_WARNING_FLAGS -Wall -Wextra -Wpedantic)
if(SOCIALGATE_WERROR)
  list(APPEND SG_WARNING_FLAGS -Werror)
endif()
list(APPEND SG_WARNING_FLAGS -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual -Wcast-qual
     -Wmissing-declarations -Wimplicit-fallthrough)
target_compile_options(socialgate_warnings INTERFACE ${SG_WARNING_FLAGS})
