#include "engine/experiment/episode_tables.hpp"

#include <cstring>
#include <stdexcept>

namespace marlsim {

namespace {

// Layout: table count; per table its column count; per column the name's length and
// characters, the variant index, the row count and the rows.
class Writer {
 public:
  explicit Writer(std::vector<char>& out) : out_(out) {}
  void bytes(const void* data, std::size_t n) {
    const std::size_t at = out_.size();
    out_.resize(at + n);
    if (n > 0) std::memcpy(out_.data() + at, data, n);
  }
  void u64(std::uint64_t v) { bytes(&v, sizeof v); }

 private:
  std::vector<char>& out_;
};

class Reader {
 public:
  explicit Reader(std::span<const char> in) : in_(in) {}
  void bytes(void* data, std::size_t n) {
    if (n > in_.size() - at_) throw std::runtime_error("episode tables: truncated message");
    if (n > 0) std::memcpy(data, in_.data() + at_, n);
    at_ += n;
  }
  std::uint64_t u64() {
    std::uint64_t v = 0;
    bytes(&v, sizeof v);
    return v;
  }
  // A count of items of `size` bytes that the rest of the message can hold.
  std::size_t count(std::size_t size) {
    const std::uint64_t n = u64();
    if (n > (in_.size() - at_) / size) throw std::runtime_error("episode tables: truncated message");
    return static_cast<std::size_t>(n);
  }
  bool done() const { return at_ == in_.size(); }

 private:
  std::span<const char> in_;
  std::size_t at_ = 0;
};

template <class T>
std::vector<T> read_rows(Reader& r) {
  std::vector<T> v(r.count(sizeof(T)));
  r.bytes(v.data(), v.size() * sizeof(T));
  return v;
}

}  // namespace

void append_rows(EpisodeTables& into, EpisodeTables&& more) {
  if (into.empty()) {
    into = std::move(more);
    return;
  }
  if (into.size() != more.size()) throw std::logic_error("append_rows: different tables");
  for (std::size_t t = 0; t < into.size(); ++t) {
    if (into[t].size() != more[t].size()) throw std::logic_error("append_rows: different columns");
    for (std::size_t c = 0; c < into[t].size(); ++c) {
      TableColumn& to = into[t][c];
      TableColumn& from = more[t][c];
      if (to.dataset != from.dataset || to.rows.index() != from.rows.index())
        throw std::logic_error("append_rows: " + to.dataset + " and " + from.dataset + " differ");
      std::visit(
          [&](auto& rows) {
            auto& extra = std::get<std::decay_t<decltype(rows)>>(from.rows);
            rows.insert(rows.end(), extra.begin(), extra.end());
          },
          to.rows);
    }
  }
}

std::vector<char> to_bytes(const EpisodeTables& tables) {
  std::vector<char> out;
  Writer w(out);
  w.u64(tables.size());
  for (const Table& table : tables) {
    w.u64(table.size());
    for (const TableColumn& c : table) {
      w.u64(c.dataset.size());
      w.bytes(c.dataset.data(), c.dataset.size());
      w.u64(c.rows.index());
      std::visit(
          [&](const auto& v) {
            w.u64(v.size());
            w.bytes(v.data(), v.size() * sizeof(v[0]));
          },
          c.rows);
    }
  }
  return out;
}

EpisodeTables episode_tables_from_bytes(std::span<const char> bytes) {
  Reader r(bytes);
  EpisodeTables tables(r.count(sizeof(std::uint64_t)));
  for (Table& table : tables) {
    table.resize(r.count(sizeof(std::uint64_t)));
    for (TableColumn& c : table) {
      c.dataset.resize(r.count(1));
      r.bytes(c.dataset.data(), c.dataset.size());
      switch (r.u64()) {
        case 0: c.rows = read_rows<std::int64_t>(r); break;
        case 1: c.rows = read_rows<double>(r); break;
        default: throw std::runtime_error("episode tables: unknown column type in message");
      }
    }
  }
  if (!r.done()) throw std::runtime_error("episode tables: trailing bytes in message");
  return tables;
}

}  // namespace marlsim
