// File: api/json_token_count.hpp
//
// A cheap look at a JSON body before it is parsed: how many values it holds. A JSON parser's
// memory grows with the number of values, not with the bytes (simdjson keeps 16 bytes of tape
// per number: a body of 140 MB of "0," needs over a gigabyte), so a body of a few megabytes can
// cost gigabytes to parse. Counting first lets such a body be refused at the cost of one pass,
// while a body of the same size made of one long string (a media header's base64) is not held
// back. The count is of the separators that introduce a value (',', ':', '[', '{') outside
// strings; strings are skipped with memchr.
//
// Pure function; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

namespace socialgate::api {

// Whether `body` introduces more than `max_values` values. A body that is not valid JSON may
// give either answer: the parser says what is wrong with it.
bool HasMoreJsonValuesThan(std::string_view body, std::size_t max_values);

}  // namespace socialgate::api
