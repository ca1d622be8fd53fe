#pragma once
// An episode's results tables as owned columns (what results_layout.hpp builds and writes),
// and as bytes: with parallel episodes the rank that ran an episode is not always the rank
// that writes it, so its tables travel as one message.
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace marlsim {

// One column of a table: its dataset and rows (int64 or float64, the layout's two types).
struct TableColumn {
  std::string dataset;  // "/least-loaded/tasks/wait_s"
  std::variant<std::vector<std::int64_t>, std::vector<double>> rows;
};
// Columns written together as one row group (each column the same number of rows).
using Table = std::vector<TableColumn>;
// An episode's tables, in the order they are written.
using EpisodeTables = std::vector<Table>;

// Appends `more`'s rows to `into`'s, table by table and column by column (the same tables of
// the same policy: consecutive episodes become one row group). An empty `into` takes `more`.
void append_rows(EpisodeTables& into, EpisodeTables&& more);

// Native byte order: the bytes are read by another rank of the same run.
std::vector<char> to_bytes(const EpisodeTables& tables);
// Throws std::runtime_error on a truncated or malformed message.
EpisodeTables episode_tables_from_bytes(std::span<const char> bytes);

}  // namespace marlsim
