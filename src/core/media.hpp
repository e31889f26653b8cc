// File: core/media.hpp
//
// DecodeMediaHeader: turns a template request's `header` object (type, base64 data, documentType,
// fileName) into a MediaHeader whose bytes are decoded, within WhatsApp's size limit for the kind,
// and sniffed by libmagic to be what type and documentType claim (image: JPEG/PNG, video:
// MP4/3GPP, document: PDF; Meta accepts only these in template headers). DecodeMediaMessage does
// the same for a media message's file (image or document). ValidationLimits lives
// here because the size limits are media rules; core/validate.hpp re-exports it.
//
// Thread safety: safe to call from many threads at once. libmagic handles are not thread-safe,
// so each thread lazily opens its own (reading the magic database once per thread) and keeps it
// until the thread exits.
#pragma once

#include <cstddef>

#include "core/error.hpp"
#include "core/message.hpp"

namespace socialgate::core {

struct ValidationLimits {
  std::size_t max_image_bytes = std::size_t{5} * 1024 * 1024;       // WhatsApp: JPEG/PNG, 5 MB
  std::size_t max_video_bytes = std::size_t{16} * 1024 * 1024;      // MP4 / 3GPP, 16 MB
  std::size_t max_document_bytes = std::size_t{100} * 1024 * 1024;  // PDF, 100 MB
};

// Longest fileName accepted, in characters (Unicode code points).
inline constexpr std::size_t kMaxFileNameChars = 240;

// Checks, in order: header.type; header.data (non-empty, standard base64 with padding, "\r" and
// "\n" ignored, decoded size within the kind's limit, checked before anything is allocated);
// header.documentType (the extension, any case, optional leading '.', allowed for the type);
// header.fileName (non-empty, <= kMaxFileNameChars, no '/', '\\' or control characters, valid
// UTF-8, extension matching documentType); then the sniffed MIME type of the bytes. The first
// failure is returned as kInvalidArgument naming the field, or kInternal if libmagic is unusable.
Result<MediaHeader> DecodeMediaHeader(const RawMediaHeader& raw, const ValidationLimits& limits);

// A media message's file (sendExternalMultimediaMessageToCtlivesocial), under the same rules as
// a media header, checked in order: messageType (IMAGE or DOCUMENT, any case: its kind);
// document (as header.data: non-empty padded base64, the decoded size within the kind's limit,
// checked before anything is allocated); fileName (as header.fileName, and its extension one the
// kind allows: jpg, jpeg or png for an IMAGE, pdf for a DOCUMENT); then the sniffed MIME type of
// the bytes, which must fit the kind and the extension. The MediaHeader's document_type is the
// file name's lower-case extension. Errors as DecodeMediaHeader's, naming document, messageType
// or fileName.
Result<MediaHeader> DecodeMediaMessage(const MediaRequest& request, const ValidationLimits& limits);

}  // namespace socialgate::core
