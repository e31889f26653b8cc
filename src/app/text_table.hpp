// File: app/text_table.hpp
//
// The commands' human-readable tables: rows of cells padded into columns, the first row the
// header. Thread safety: a pure function writing to `out`.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace socialgate::app {

void PrintTable(std::FILE* out, const std::vector<std::vector<std::string>>& rows);

}  // namespace socialgate::app
