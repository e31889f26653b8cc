// File: core/template_rules.hpp
//
// The rules for a template message's name and its text parameters (bodyData, headerData,
// dynamicUrl), taken from Meta's Cloud API limits (shared/reference/meta-cloud-api.md sections
// 1.2, 1.3 and 6). Each check returns the first rule broken as kInvalidArgument whose message
// names the JSON field, with the index for list entries: "bodyData[1]: must not be empty".
//
// Thread safety: pure functions; safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace socialgate::core {

inline constexpr std::size_t kMaxTemplateNameChars = 512;

// Per-parameter caps, in characters (Unicode code points). Meta budgets 1,024 characters for the
// rendered body and 60 for a header text; no URL-suffix limit is documented, so the whole URL's
// practical 2,000 is used.
inline constexpr std::size_t kMaxBodyParameterChars = 1024;
inline constexpr std::size_t kMaxHeaderParameterChars = 60;
inline constexpr std::size_t kMaxUrlSuffixChars = 2000;

// List caps. A text header has at most one variable; a template has at most 2 URL buttons
// (Meta's button limits: <= 2 URL, <= 1 phone, <= 10 quick replies); 100 body parameters is far
// above any real template and only bounds the work done on one request.
inline constexpr std::size_t kMaxHeaderDataEntries = 1;
inline constexpr std::size_t kMaxBodyDataEntries = 100;
inline constexpr std::size_t kMaxDynamicUrlEntries = 2;

// Meta rejects (error 132018) parameters with more consecutive spaces than this.
inline constexpr std::size_t kMaxConsecutiveSpaces = 4;

enum class TextParameterKind { kBody, kHeader, kUrlSuffix };

// templateName: 1..512 characters, each a lower-case ASCII letter, digit or underscore.
Result<void> ValidateTemplateName(std::string_view name);

// One text parameter. `field` names it in messages ("bodyData[0]"). Rules, checked in this order:
// non-empty; valid UTF-8; no newline, carriage return, tab or other control character; no run of
// more than 4 spaces; at most the cap for `kind` (kMax...Chars) characters.
Result<void> ValidateTextParameter(std::string_view field, std::string_view value,
                                   TextParameterKind kind);

// headerData: at most one entry, and none when the request also has a media header (a template
// header is either text or media, never both); each entry is a header text parameter.
Result<void> ValidateHeaderData(const std::vector<std::string>& header_data, bool has_media_header);

// bodyData: at most kMaxBodyDataEntries entries, each a body text parameter.
Result<void> ValidateBodyData(const std::vector<std::string>& body_data);

// dynamicUrl: at most kMaxDynamicUrlEntries entries, each a URL-suffix text parameter.
Result<void> ValidateDynamicUrl(const std::vector<std::string>& dynamic_url);

}  // namespace socialgate::core
