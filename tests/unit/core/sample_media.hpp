// File: tests/unit/core/sample_media.hpp
//
// Tiny, real media files built by hand for the core tests (just enough of each format for
// libmagic to recognise it), and a base64 encoder to put them in a RawMediaHeader.
#pragma once

#include <string>
#include <string_view>

#include <sodium.h>

#include "core/message.hpp"

namespace socialgate::core::testing {

inline std::string Bytes(std::initializer_list<unsigned char> bytes) {
  return std::string(bytes.begin(), bytes.end());
}

// A valid 1x1 RGBA PNG: signature, IHDR, one IDAT with a zlib stream, IEND (CRCs are real).
inline std::string TinyPng() {
  return Bytes({0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48,
                0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
                0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78,
                0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00,
                0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82});
}

// JPEG start of image, a JFIF APP0 segment (version 1.1, 1:1 aspect) and end of image.
inline std::string TinyJpeg() {
  return Bytes({0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J',  'F',  'I',  'F',  0x00,
                0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xFF, 0xD9});
}

inline std::string TinyPdf() {
  return "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";
}

// An ISO base media 'ftyp' box: size, "ftyp", major brand, minor version, compatible brands.
inline std::string FtypBox(std::string_view major, std::string_view compatible) {
  std::string box = Bytes({0x00, 0x00, 0x00, static_cast<unsigned char>(16 + compatible.size())});
  box += "ftyp";
  box += major;
  box += Bytes({0x00, 0x00, 0x02, 0x00});
  box += compatible;
  return box;
}

inline std::string TinyMp4() { return FtypBox("isom", "isommp42"); }
inline std::string Tiny3gp() { return FtypBox("3gp4", "3gp4isom"); }
inline std::string TinyM4a() { return FtypBox("M4A ", "M4A mp42"); }

inline std::string Base64(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // drop the terminating NUL
  return out;
}

inline RawMediaHeader MakeRawHeader(std::string type, std::string_view bytes,
                                    std::string document_type, std::string file_name) {
  return RawMediaHeader{std::move(type), Base64(bytes), std::move(document_type),
                        std::move(file_name)};
}

}  // namespace socialgate::core::testing
