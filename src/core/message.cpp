#include "core/message.hpp"

#include <type_traits>
#include <utility>

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

std::optional<MediaKind> ParseMediaKind(std::string_view name) {
  for (const MediaKind kind : {MediaKind::kImage, MediaKind::kVideo, MediaKind::kDocument}) {
    if (name == MediaKindName(kind)) return kind;
  }
  return std::nullopt;
}

std::string_view MessageKindName(const MessageContent& content) {
  return std::visit([](const auto& kind) { return std::decay_t<decltype(kind)>::kKind; }, content);
}

std::string_view MessageLogLabel(const MessageContent& content) {
  return std::visit(
      Overloaded{
          [](const TemplateContent& t) -> std::string_view { return t.template_name; },
          [](const TextContent&) -> std::string_view { return TextContent::kKind; },
          [](const MediaContent& m) -> std::string_view { return MediaKindName(m.media.kind); }},
      content);
}

const MediaHeader* MediaOf(const OutboundMessage& message) {
  return std::visit(
      Overloaded{[](const TemplateContent& t) -> const MediaHeader* {
                   return t.header ? &*t.header : nullptr;
                 },
                 [](const TextContent&) -> const MediaHeader* { return nullptr; },
                 [](const MediaContent& m) -> const MediaHeader* { return &m.media; }},
      message.content);
}

MediaHeader* MediaOf(OutboundMessage& message) {
  return const_cast<MediaHeader*>(MediaOf(std::as_const(message)));
}

}  // namespace socialgate::core
