#include "util/thread_name.hpp"

#include <array>
#include <cstring>

#include <pthread.h>

namespace socialgate::util {

void NameThisThread(std::string_view name) {
  std::array<char, 16> buffer{};  // the kernel's limit, with the terminating NUL
  const std::size_t n = std::min(name.size(), buffer.size() - 1);
  std::memcpy(buffer.data(), name.data(), n);
  pthread_setname_np(pthread_self(), buffer.data());
}

}  // namespace socialgate::util
