// File: store/string_array.hpp
//
// The encoding of the messages table's parameter columns (header_params, body_params,
// url_params) and of id lists bound as a list (SQLite json_each, PostgreSQL
// json_array_elements_text): a JSON array of strings, written compactly as nlohmann::json::dump()
// writes it (quotes, backslashes and control characters escaped, UTF-8 as it is). Written by hand:
// three arrays are encoded for every stored message and decoded for every claimed one, on the
// committer's and the pump's hot paths.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace socialgate::store {

std::string EncodeStringArray(const std::vector<std::string>& values);

// Reads what EncodeStringArray (or any JSON writer) wrote. Anything that is not an array of
// strings gives the strings it holds, or none: a column is only ever written by the encoder.
std::vector<std::string> DecodeStringArray(std::string_view json);

}  // namespace socialgate::store
