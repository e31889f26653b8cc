#include "templates/send_check.hpp"

#include "core/text.hpp"

namespace socialgate::templates {
namespace {

tl::unexpected<core::Error> Refuse(std::string sentence) {
  return core::MakeError(core::ErrorCode::kInvalidArgument, std::move(sentence));
}

// "1 body parameter", "3 body parameters".
std::string Count(std::size_t n, std::string_view what) {
  return std::to_string(n) + " " + std::string(what) + (n == 1 ? "" : "s");
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

// The media kind a send fills a header of this format with; nullopt for TEXT, NONE, LOCATION.
std::optional<core::MediaKind> MediaKindFor(HeaderFormat format) {
  switch (format) {
    case HeaderFormat::kImage:
      return core::MediaKind::kImage;
    case HeaderFormat::kVideo:
    case HeaderFormat::kGif:  // an animated header is an MP4 sent as a video
      return core::MediaKind::kVideo;
    case HeaderFormat::kDocument:
      return core::MediaKind::kDocument;
    case HeaderFormat::kNone:
    case HeaderFormat::kText:
    case HeaderFormat::kLocation:
      return std::nullopt;
  }
  return std::nullopt;
}

core::Result<void> CheckHeader(const Template& t, const core::TemplateContent& m,
                               const std::string& name) {
  const std::size_t given = m.header_params.size();
  switch (t.header_format) {
    case HeaderFormat::kNone:
      if (m.header) {
        return Refuse("header: template " + name + " has no header; send header null, not " +
                      std::string(core::MediaKindName(m.header->kind)) + " media");
      }
      if (given > 0) {
        return Refuse("headerData: template " + name + " has no header, so expects " +
                      Count(0, "header parameter") + ", got " + std::to_string(given));
      }
      return {};
    case HeaderFormat::kText: {
      if (m.header) {
        return Refuse("header: template " + name + " has a text header, not " +
                      std::string(core::MediaKindName(m.header->kind)) +
                      " media; send header null and the header's text parameters in headerData");
      }
      const auto expected = static_cast<std::size_t>(t.header_variables.count);
      if (given != expected) {
        return Refuse("headerData: template " + name + " expects " +
                      Count(expected, "header parameter") + ", got " + std::to_string(given));
      }
      return {};
    }
    case HeaderFormat::kLocation:
      return Refuse("header: template " + name +
                    " has a LOCATION header, which this API cannot fill; use a template without "
                    "one");
    case HeaderFormat::kImage:
    case HeaderFormat::kVideo:
    case HeaderFormat::kGif:
    case HeaderFormat::kDocument: {
      const core::MediaKind wanted = *MediaKindFor(t.header_format);
      const std::string format =
          std::string(t.header_format == HeaderFormat::kImage ? "an " : "a ") +
          HeaderFormatName(t.header_format);
      if (!m.header) {
        return Refuse("header: template " + name + " has " + format + " header; send " +
                      std::string(core::MediaKindName(wanted)) + " media in header, not " +
                      (given > 0 ? "headerData" : "null"));
      }
      if (m.header->kind != wanted) {
        return Refuse("header: template " + name + " has " + format + " header, not " +
                      std::string(core::MediaKindName(m.header->kind)) + " media; send " +
                      std::string(core::MediaKindName(wanted)) + " media");
      }
      return {};
    }
  }
  return {};
}

}  // namespace

std::string AccountLabel(std::string_view account) {
  constexpr std::string_view kFile = "file:";
  if (account.substr(0, kFile.size()) == kFile) {
    return "the sandbox catalog " + std::string(account.substr(kFile.size()));
  }
  return "WhatsApp Business Account " + std::string(account);
}

core::Result<const Template*> CheckTemplateSend(const Snapshot& snapshot, std::string_view account,
                                                std::string_view service_phone,
                                                const core::TemplateContent& message,
                                                const std::vector<std::string>& neighbours) {
  const std::string name = message.template_name;
  const AccountCatalog* catalog = snapshot.Find(account);
  if (catalog == nullptr || !catalog->by_name.contains(message.template_name)) {
    std::string sentence = "templateName: " + AccountLabel(account) + ", the account of " +
                           std::string(service_phone) + ", has no template " + name;
    for (const auto& other : neighbours) {
      const AccountCatalog* c = snapshot.Find(other);
      if (other != account && c != nullptr && c->by_name.contains(message.template_name)) {
        sentence += "; " + AccountLabel(other) + " has one, but " + std::string(service_phone) +
                    " cannot send another account's templates";
        break;
      }
    }
    return Refuse(sentence);
  }
  const Template* t = catalog->Find(message.template_name, message.language);
  if (t == nullptr) {
    return Refuse("language: template " + name + " has no " + message.language +
                  " version; it has " + Join(catalog->LanguagesOf(message.template_name)));
  }
  if (!t->approved()) {
    std::string sentence = "templateName: template " + name + " (" + t->language + ") is " +
                           t->status + ", not APPROVED";
    if (!t->status_reason.empty()) sentence += " (Meta's reason: " + t->status_reason + ")";
    return Refuse(sentence + "; Meta sends only approved templates");
  }
  SG_RETURN_IF_ERROR(CheckHeader(*t, message, name));
  const auto body_expected = static_cast<std::size_t>(t->body_variables.count);
  if (message.body_params.size() != body_expected) {
    return Refuse("bodyData: template " + name + " expects " +
                  Count(body_expected, "body parameter") + ", got " +
                  std::to_string(message.body_params.size()));
  }
  const auto url_expected = static_cast<std::size_t>(t->UrlVariableCount());
  if (message.url_params.size() != url_expected) {
    return Refuse("dynamicUrl: template " + name + " has " + Count(url_expected, "URL button") +
                  " with a variable, so expects " + Count(url_expected, "value") + ", got " +
                  std::to_string(message.url_params.size()));
  }
  return t;
}

}  // namespace socialgate::templates
