// File: util/thread_name.hpp
//
// Names the calling thread (Linux keeps 15 characters), so `top -H`, `perf report --sort comm`
// and gdb tell the gateway's threads apart: the HTTP I/O threads, the request workers, the
// store's committer, the dispatcher's pump...
#pragma once

#include <string_view>

namespace socialgate::util {

void NameThisThread(std::string_view name);

}  // namespace socialgate::util
