#include "store/status_order.hpp"

namespace socialgate::store {
namespace {

int Rank(std::string_view s) {
  if (s == "queued") return 0;
  if (s == "sending") return 1;
  if (s == "accepted") return 2;
  if (s == "sent") return 3;
  if (s == "delivered") return 4;
  if (s == "read") return 5;
  return -1;
}

}  // namespace

bool StatusMovesForward(std::string_view current, std::string_view next) {
  if (current == "failed") return false;
  if (next == "failed") return Rank(current) < Rank("delivered");
  const int from = Rank(current);
  const int to = Rank(next);
  return to >= 0 && to > from;
}

}  // namespace socialgate::store
