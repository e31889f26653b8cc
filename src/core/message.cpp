#include "core/message.hpp"

namespace socialgate::core {

const char* MediaKindName(MediaKind kind) {
  switch (kind) {
    case MediaKind::kImage:
      return "image";
    case MediaKind::kVideo:
      return "video";
    case MediaKind::kDocument:
      return "document";
  }
  return "document";  // unreachable for valid enum values; keeps -Wreturn-type quiet
}

}  // namespace socialgate::core
