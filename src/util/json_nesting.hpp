// File: util/json_nesting.hpp
//
// How deeply a JSON text nests, checked before it is parsed. A parser builds a value per level
// and some operations on parsed values recurse (nlohmann's dump and comparisons do), so a body
// of a million '[' from outside would cost memory and could overflow the stack. This scan
// allocates nothing and reads each byte once.
//
// Thread safety: a pure function; safe from any thread.
#pragma once

#include <string_view>

namespace socialgate::util {

// False when `text` opens more than `max_depth` arrays or objects inside one another. Brackets
// inside strings do not count (escapes are followed). It does not validate anything else: for
// valid JSON it measures the real depth, and a parser stops at the first error in an invalid
// text before going deeper than this scan saw.
bool JsonNestingWithin(std::string_view text, int max_depth);

}  // namespace socialgate::util
