#include "workloads/flat_tasks.hpp"

#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace marlsim {

namespace {

static_assert(std::is_trivially_copyable_v<FlatTask>);
static_assert(sizeof(FlatTask) % 8 == 0, "the offsets after the records stay 8-byte aligned");

struct Header {
  std::uint64_t magic = 0;
  std::uint64_t tasks = 0;
  std::uint64_t parent_ids = 0;
};
constexpr std::uint64_t kMagic = 0x31'6b'73'61'74'74'61'6cULL;  // "lattask1"

std::size_t block_bytes(std::uint64_t tasks, std::uint64_t parent_ids) {
  return sizeof(Header) + tasks * sizeof(FlatTask) + (tasks + 1 + parent_ids) * sizeof(std::uint64_t);
}

}  // namespace

std::size_t flat_tasks_bytes(const std::vector<TaskSpec>& tasks) {
  std::uint64_t parents = 0;
  for (const TaskSpec& t : tasks) parents += t.parents.size();
  return block_bytes(tasks.size(), parents);
}

void write_flat_tasks(const std::vector<TaskSpec>& tasks, std::span<std::byte> out) {
  if (out.size() != flat_tasks_bytes(tasks) || reinterpret_cast<std::uintptr_t>(out.data()) % 8 != 0)
    throw std::logic_error("write_flat_tasks: the block has the wrong size or alignment");
  Header h{kMagic, tasks.size(), 0};
  for (const TaskSpec& t : tasks) h.parent_ids += t.parents.size();
  std::byte* at = out.data();
  std::memcpy(at, &h, sizeof h);
  at += sizeof h;
  for (std::uint64_t i = 0; i < tasks.size(); ++i) {
    const TaskSpec& t = tasks[i];
    if (t.id != i)
      throw std::logic_error("write_flat_tasks: task " + std::to_string(i) + " has id " + std::to_string(t.id));
    const FlatTask r{t.job, t.arrival_s, t.work_core_s, t.cores, t.memory_gb, t.deadline_s, t.instance, t.priority};
    std::memcpy(at, &r, sizeof r);
    at += sizeof r;
  }
  std::uint64_t offset = 0;
  for (const TaskSpec& t : tasks) {
    std::memcpy(at, &offset, sizeof offset);
    at += sizeof offset;
    offset += t.parents.size();
  }
  std::memcpy(at, &offset, sizeof offset);
  at += sizeof offset;
  for (const TaskSpec& t : tasks) {
    if (t.parents.empty()) continue;
    std::memcpy(at, t.parents.data(), t.parents.size() * sizeof(std::uint64_t));
    at += t.parents.size() * sizeof(std::uint64_t);
  }
}

FlatTasks::FlatTasks(std::span<const std::byte> bytes) {
  Header h;
  if (bytes.size() < sizeof h || reinterpret_cast<std::uintptr_t>(bytes.data()) % 8 != 0)
    throw std::logic_error("FlatTasks: not a block of tasks (too short or misaligned)");
  std::memcpy(&h, bytes.data(), sizeof h);
  if (h.magic != kMagic || bytes.size() != block_bytes(h.tasks, h.parent_ids))
    throw std::logic_error("FlatTasks: not a block of tasks (header or size)");
  tasks_ = h.tasks;
  parent_ids_ = h.parent_ids;
  records_ = bytes.data() + sizeof h;
  offsets_ = reinterpret_cast<const std::uint64_t*>(records_ + tasks_ * sizeof(FlatTask));
  ids_ = offsets_ + tasks_ + 1;
}

FlatTask FlatTasks::record(std::uint64_t id) const {
  FlatTask r;
  std::memcpy(&r, records_ + id * sizeof(FlatTask), sizeof r);
  return r;
}

void FlatTasks::read(std::uint64_t id, TaskSpec& out) const {
  const FlatTask r = record(id);
  out.id = id;
  out.job = r.job;
  out.arrival_s = r.arrival_s;
  out.work_core_s = r.work_core_s;
  out.cores = r.cores;
  out.memory_gb = r.memory_gb;
  out.priority = r.priority;
  out.instance = r.instance;
  out.deadline_s = r.deadline_s;
  const std::span<const std::uint64_t> p = parents(id);
  out.parents.assign(p.begin(), p.end());
}

}  // namespace marlsim
