#include "core/media.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <magic.h>
#include <sodium.h>

#include "core/text.hpp"

namespace socialgate::core {
namespace {

// libmagic needs only the first bytes of any format we accept; capping the input bounds the time
// spent on a hostile 100 MB document.
constexpr std::size_t kMaxSniffBytes = std::size_t{1024} * 1024;

constexpr std::string_view kJpeg = "image/jpeg";
constexpr std::string_view kPng = "image/png";
constexpr std::string_view kMp4 = "video/mp4";
constexpr std::string_view k3gpp = "video/3gpp";
constexpr std::string_view kPdf = "application/pdf";

Error Invalid(std::string message) {
  return Error{ErrorCode::kInvalidArgument, std::move(message), {}};
}

std::optional<MediaKind> ParseKind(std::string_view type) {
  const std::string lower = AsciiLower(type);
  if (lower == "image") {
    return MediaKind::kImage;
  }
  if (lower == "video") {
    return MediaKind::kVideo;
  }
  if (lower == "document") {
    return MediaKind::kDocument;
  }
  return std::nullopt;
}

std::size_t MaxBytes(MediaKind kind, const ValidationLimits& limits) {
  switch (kind) {
    case MediaKind::kImage:
      return limits.max_image_bytes;
    case MediaKind::kVideo:
      return limits.max_video_bytes;
    case MediaKind::kDocument:
      return limits.max_document_bytes;
  }
  return 0;
}

// The MIME type an extension promises, or empty if the gateway accepts no such extension.
// Extensions naming the same format (jpg/jpeg, 3gp/3gpp) map to the same type, which is what
// makes them interchangeable between documentType and fileName.
std::string_view MimeForExtension(std::string_view extension) {
  if (extension == "jpg" || extension == "jpeg") {
    return kJpeg;
  }
  if (extension == "png") {
    return kPng;
  }
  if (extension == "mp4") {
    return kMp4;
  }
  if (extension == "3gp" || extension == "3gpp") {
    return k3gpp;
  }
  if (extension == "pdf") {
    return kPdf;
  }
  return {};
}

bool MimeFitsKind(MediaKind kind, std::string_view mime) {
  switch (kind) {
    case MediaKind::kImage:
      return mime == kJpeg || mime == kPng;
    case MediaKind::kVideo:
      return mime == kMp4 || mime == k3gpp;
    case MediaKind::kDocument:
      return mime == kPdf;
  }
  return false;
}

std::string_view ExtensionsForKind(MediaKind kind) {
  switch (kind) {
    case MediaKind::kImage:
      return "jpg, jpeg or png";
    case MediaKind::kVideo:
      return "mp4, 3gp or 3gpp";
    case MediaKind::kDocument:
      return "pdf";
  }
  return "";
}

// A media message's file names, by kind (it has no video).
std::string_view DottedExtensionsForKind(MediaKind kind) {
  return kind == MediaKind::kImage ? ".jpg, .jpeg or .png" : ".pdf";
}

std::string_view MimesForKind(MediaKind kind) {
  switch (kind) {
    case MediaKind::kImage:
      return "image/jpeg or image/png";
    case MediaKind::kVideo:
      return "video/mp4 or video/3gpp";
    case MediaKind::kDocument:
      return "application/pdf";
  }
  return "";
}

bool IsBase64Symbol(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/' || c == '=';
}

// Decodes standard base64 (RFC 4648 section 4, padded), ignoring "\r" and "\n". The exact decoded
// size is computed from the text first, so an oversized header is refused before the buffer for
// it is allocated.
// How a request names the media's parts, for its error sentences: a template's header object or
// a media message's fields.
struct Names {
  std::string_view data;       // "header.data" | "document"
  std::string_view file_name;  // "header.fileName" | "fileName"
  bool message;                // a media message's: its limits are "for IMAGE messages"
};

constexpr Names kHeaderNames{"header.data", "header.fileName", false};
constexpr Names kMessageNames{"document", "fileName", true};

// What a size limit is "for": "image headers", "IMAGE messages".
std::string LimitOf(MediaKind kind, const Names& names) {
  if (!names.message) return std::string(MediaKindName(kind)) + " headers";
  return std::string(kind == MediaKind::kImage ? "IMAGE" : "DOCUMENT") + " messages";
}

Result<std::string> DecodeBase64Data(std::string_view data, MediaKind kind,
                                     const ValidationLimits& limits, const Names& names) {
  const std::string field(names.data);
  const Error not_base64 = Invalid(field + ": is not valid base64 (RFC 4648 standard alphabet)");
  std::size_t symbols = 0;
  std::size_t padding = 0;  // '=' among the last symbols
  for (const char c : data) {
    if (c == '\r' || c == '\n') {
      continue;
    }
    // libsodium's ignore list is matched with strchr, which also matches '\0'; checking the
    // alphabet here keeps NUL bytes and other junk from being skipped silently.
    if (!IsBase64Symbol(c)) {
      return tl::unexpected(not_base64);
    }
    ++symbols;
    padding = c == '=' ? padding + 1 : 0;
  }
  if (symbols == 0) {
    return MakeError(ErrorCode::kInvalidArgument, field + ": must not be empty");
  }
  if (symbols % 4 != 0 || padding > 2) {
    return tl::unexpected(not_base64);
  }

  const std::size_t decoded_size = symbols / 4 * 3 - padding;
  const std::size_t limit = MaxBytes(kind, limits);
  if (decoded_size > limit) {
    return MakeError(ErrorCode::kInvalidArgument,
                     field + ": " + std::to_string(decoded_size) + " bytes is over the " +
                         std::to_string(limit) + "-byte limit for " + LimitOf(kind, names));
  }

  std::string bytes(decoded_size, '\0');
  std::size_t bytes_len = 0;
  const char* b64_end = nullptr;
  const int rc =
      sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), data.data(),
                        data.size(), "\r\n", &bytes_len, &b64_end, sodium_base64_VARIANT_ORIGINAL);
  // Everything must be consumed: libsodium stops at the first character it cannot use, and
  // trailing garbage after valid base64 is still an error.
  if (rc != 0 || b64_end != data.data() + data.size() || bytes_len != decoded_size) {
    return tl::unexpected(not_base64);
  }
  return bytes;
}

Result<std::string> NormalizeDocumentType(std::string_view document_type, MediaKind kind) {
  std::string extension = AsciiLower(document_type);
  if (!extension.empty() && extension.front() == '.') {
    extension.erase(0, 1);
  }
  const std::string_view mime = MimeForExtension(extension);
  if (mime.empty() || !MimeFitsKind(kind, mime)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "header.documentType: must be " + std::string(ExtensionsForKind(kind)) +
                         " for " + (kind == MediaKind::kImage ? "an " : "a ") +
                         MediaKindName(kind) + " header (got " + QuoteForMessage(document_type) +
                         ")");
  }
  return extension;
}

// The rules of a file name's text, whatever its extension: non-empty, valid UTF-8, at most
// kMaxFileNameChars, no path separator, control or bidirectional override character.
Result<void> CheckFileNameText(std::string_view file_name, const std::string& field) {
  if (file_name.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, field + ": must not be empty");
  }
  const auto length = Utf8Length(file_name);
  if (!length) {
    return MakeError(ErrorCode::kInvalidArgument, field + ": must be valid UTF-8");
  }
  if (*length > kMaxFileNameChars) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        field + ": must be at most " + std::to_string(kMaxFileNameChars) + " characters");
  }
  for (const char c : file_name) {
    const auto byte = static_cast<unsigned char>(c);
    // A path separator could steer a later file write; control characters garble the name the
    // customer sees.
    if (c == '/' || c == '\\' || byte < 0x20 || byte == 0x7F) {
      return MakeError(ErrorCode::kInvalidArgument,
                       field + ": must not contain '/', '\\' or control characters");
    }
  }
  // Bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069) make a name display
  // other than it is ("invoice\u202Efdp.exe" shows as "invoiceexe.pdf"). In UTF-8 they are
  // E2 80 AA-AE and E2 81 A6-A9.
  for (std::size_t i = 0; i + 2 < file_name.size(); ++i) {
    const auto b0 = static_cast<unsigned char>(file_name[i]);
    const auto b1 = static_cast<unsigned char>(file_name[i + 1]);
    const auto b2 = static_cast<unsigned char>(file_name[i + 2]);
    if (b0 == 0xE2 &&
        ((b1 == 0x80 && b2 >= 0xAA && b2 <= 0xAE) || (b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9))) {
      return MakeError(ErrorCode::kInvalidArgument,
                       field +
                           ": must not contain bidirectional override or isolate "
                           "characters (U+202A-U+202E, U+2066-U+2069)");
    }
  }
  return {};
}

// The lower-case extension of `file_name` (after its last dot), or "" when it has none (no dot,
// nothing after it, or only a leading dot: ".pdf" is a name without an extension).
std::string ExtensionOf(std::string_view file_name) {
  const auto dot = file_name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  return AsciiLower(file_name.substr(dot + 1));
}

Result<void> CheckFileName(std::string_view file_name, std::string_view document_type) {
  SG_RETURN_IF_ERROR(CheckFileNameText(file_name, std::string(kHeaderNames.file_name)));
  const std::string extension = ExtensionOf(file_name);
  if (extension.empty() || MimeForExtension(extension) != MimeForExtension(document_type)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "header.fileName: must be a name ending in '." + std::string(document_type) +
                         "' to match header.documentType (got " + QuoteForMessage(file_name) + ")");
  }
  return {};
}

// One libmagic handle per thread: magic_t must not be shared between threads, and loading the
// database costs a few milliseconds, so each thread loads it once and reuses it.
class MagicHandle {
 public:
  MagicHandle() : cookie_(magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS)) {
    // MAGIC_NO_CHECK_COMPRESS: never decompress caller bytes while sniffing.
    if (cookie_ == nullptr) {
      load_error_ = "magic_open failed";
    } else if (magic_load(cookie_, nullptr) != 0) {
      const char* error = magic_error(cookie_);
      load_error_ = std::string("magic_load failed: ") + (error != nullptr ? error : "unknown");
      magic_close(cookie_);
      cookie_ = nullptr;
    }
  }
  ~MagicHandle() {
    if (cookie_ != nullptr) {
      magic_close(cookie_);
    }
  }
  MagicHandle(const MagicHandle&) = delete;
  MagicHandle& operator=(const MagicHandle&) = delete;
  MagicHandle(MagicHandle&&) = delete;
  MagicHandle& operator=(MagicHandle&&) = delete;

  Result<std::string> MimeType(std::string_view bytes) {
    if (cookie_ == nullptr) {
      return MakeError(ErrorCode::kInternal, "header.data: the file type could not be checked",
                       load_error_);
    }
    const char* mime = magic_buffer(cookie_, bytes.data(),
                                    bytes.size() < kMaxSniffBytes ? bytes.size() : kMaxSniffBytes);
    if (mime == nullptr) {
      const char* error = magic_error(cookie_);
      return MakeError(
          ErrorCode::kInternal, "header.data: the file type could not be checked",
          std::string("magic_buffer failed: ") + (error != nullptr ? error : "unknown"));
    }
    return std::string(mime);
  }

 private:
  magic_t cookie_;
  std::string load_error_;
};

Result<std::string> SniffMimeType(std::string_view bytes) {
  thread_local MagicHandle handle;
  return handle.MimeType(bytes);
}

}  // namespace

Result<MediaHeader> DecodeMediaHeader(const RawMediaHeader& raw, const ValidationLimits& limits) {
  const std::optional<MediaKind> kind = ParseKind(raw.type);
  if (!kind) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "header.type: must be one of image, video, document (got " +
                         QuoteForMessage(raw.type) + ")");
  }

  SG_ASSIGN_OR_RETURN(auto bytes, DecodeBase64Data(raw.data, *kind, limits, kHeaderNames));

  SG_ASSIGN_OR_RETURN(auto document_type, NormalizeDocumentType(raw.document_type, *kind));

  SG_RETURN_IF_ERROR(CheckFileName(raw.file_name, document_type));

  SG_ASSIGN_OR_RETURN(auto mime, SniffMimeType(bytes));
  if (!MimeFitsKind(*kind, mime)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "header.data: the bytes are " + mime + ", but header.type '" +
                         MediaKindName(*kind) + "' needs " + std::string(MimesForKind(*kind)));
  }
  const std::string_view expected_mime = MimeForExtension(document_type);
  if (mime != expected_mime) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "header.data: the bytes are " + mime + ", but header.documentType '" +
                         document_type + "' needs " + std::string(expected_mime));
  }

  MediaHeader header;
  header.kind = *kind;
  header.mime_type = std::move(mime);
  header.document_type = std::move(document_type);
  header.file_name = raw.file_name;
  header.bytes = std::move(bytes);
  return header;
}

Result<MediaHeader> DecodeMediaMessage(const MediaRequest& request,
                                       const ValidationLimits& limits) {
  // CTLive writes IMAGE and DOCUMENT; any case is accepted, as header.type's is.
  const std::string type = AsciiLower(request.message_type);
  std::optional<MediaKind> kind;
  if (type == "image") kind = MediaKind::kImage;
  if (type == "document") kind = MediaKind::kDocument;
  if (!kind) {
    return MakeError(ErrorCode::kInvalidArgument, "messageType: must be IMAGE or DOCUMENT (got " +
                                                      QuoteForMessage(request.message_type) + ")");
  }
  const char* type_name = *kind == MediaKind::kImage ? "IMAGE" : "DOCUMENT";

  SG_ASSIGN_OR_RETURN(auto bytes, DecodeBase64Data(request.document, *kind, limits, kMessageNames));

  SG_RETURN_IF_ERROR(CheckFileNameText(request.file_name, std::string(kMessageNames.file_name)));
  const std::string extension = ExtensionOf(request.file_name);
  const std::string_view expected_mime = MimeForExtension(extension);
  if (expected_mime.empty() || !MimeFitsKind(*kind, expected_mime)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "fileName: must end in " + std::string(DottedExtensionsForKind(*kind)) +
                         " for " + (*kind == MediaKind::kImage ? "an " : "a ") + type_name +
                         " message (got " + QuoteForMessage(request.file_name) + ")");
  }

  SG_ASSIGN_OR_RETURN(auto mime, SniffMimeType(bytes));
  if (!MimeFitsKind(*kind, mime)) {
    return MakeError(ErrorCode::kInvalidArgument, "document: the bytes are " + mime +
                                                      ", but messageType " + type_name + " needs " +
                                                      std::string(MimesForKind(*kind)));
  }
  if (mime != expected_mime) {
    return MakeError(ErrorCode::kInvalidArgument, "document: the bytes are " + mime +
                                                      ", but fileName's extension '" + extension +
                                                      "' needs " + std::string(expected_mime));
  }

  MediaHeader media;
  media.kind = *kind;
  media.mime_type = std::move(mime);
  media.document_type = extension;
  media.file_name = request.file_name;
  media.bytes = std::move(bytes);
  return media;
}

}  // namespace socialgate::core
