#pragma once
// Counter-based random streams (Philox4x32-10, Salmon et al., SC'11). A stream is keyed by
// (seed, LP or entity id, stream id), so what an LP draws never depends on which rank it
// runs on or what other LPs draw. There is no global generator anywhere in marlsim.
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>

namespace marlsim {

// A 64-bit mixer (splitmix64 finalizer): for hashing state into checksums and deriving keys.
inline constexpr std::uint64_t mix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
inline constexpr std::uint64_t hash_combine(std::uint64_t h, std::uint64_t v) {
  return mix64(h ^ (v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2)));
}

class RngStream {
 public:
  RngStream() = default;
  // The key is derived from (seed, stream); the counter's high half holds the entity id and
  // its low half counts blocks, so distinct (seed, entity, stream) never share a block.
  RngStream(std::uint64_t seed, std::uint64_t entity, std::uint64_t stream = 0) {
    const std::uint64_t key = mix64(seed ^ mix64(stream ^ 0x5EED5EEDull));
    key_ = {static_cast<std::uint32_t>(key), static_cast<std::uint32_t>(key >> 32)};
    ctr_ = {0, 0, static_cast<std::uint32_t>(entity), static_cast<std::uint32_t>(entity >> 32)};
  }

  // 64 uniformly random bits.
  std::uint64_t next_u64() {
    if (have_ >= 2) refill();
    const std::uint64_t v = buffer_[have_];
    ++have_;
    return v;
  }

  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // Uniform in (0, 1]: safe for log().
  double uniform_open0() { return 1.0 - uniform(); }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

  // Uniform integer in [0, n) without modulo bias (Lemire's method). n > 0.
  std::uint64_t below(std::uint64_t n) {
    __uint128_t m = static_cast<__uint128_t>(next_u64()) * n;
    auto low = static_cast<std::uint64_t>(m);
    if (low < n) {
      const std::uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<__uint128_t>(next_u64()) * n;
        low = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }

  double exponential(double mean) { return -mean * std::log(uniform_open0()); }
  // Standard normal by Box-Muller (one value per call; no cached second value keeps the
  // stream position a pure function of the number of calls).
  double normal() {
    const double u1 = uniform_open0();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * 3.14159265358979323846 * u2);
  }
  double lognormal(double mu, double sigma) { return std::exp(mu + sigma * normal()); }
  // Pareto with shape alpha and minimum xm.
  double pareto(double alpha, double xm) { return xm / std::pow(uniform_open0(), 1.0 / alpha); }
  // Weibull with shape k and scale lambda.
  double weibull(double k, double lambda) { return lambda * std::pow(-std::log(uniform_open0()), 1.0 / k); }

  // How many 64-bit draws this stream has made (its position; part of an LP's state).
  std::uint64_t draws() const { return blocks_ * 2 + have_ - 2; }

 private:
  void refill() {
    std::array<std::uint32_t, 4> x = ctr_;
    std::array<std::uint32_t, 2> k = key_;
    for (int round = 0; round < 10; ++round) {
      const std::uint64_t p0 = std::uint64_t{0xD2511F53u} * x[0];
      const std::uint64_t p1 = std::uint64_t{0xCD9E8D57u} * x[2];
      x = {static_cast<std::uint32_t>(p1 >> 32) ^ x[1] ^ k[0], static_cast<std::uint32_t>(p1),
           static_cast<std::uint32_t>(p0 >> 32) ^ x[3] ^ k[1], static_cast<std::uint32_t>(p0)};
      k[0] += 0x9E3779B9u;
      k[1] += 0xBB67AE85u;
    }
    buffer_[0] = (std::uint64_t{x[0]} << 32) | x[1];
    buffer_[1] = (std::uint64_t{x[2]} << 32) | x[3];
    have_ = 0;
    ++blocks_;
    ctr_[0] = static_cast<std::uint32_t>(blocks_);
    ctr_[1] = static_cast<std::uint32_t>(blocks_ >> 32);
  }

  std::array<std::uint32_t, 2> key_{};
  std::array<std::uint32_t, 4> ctr_{};
  std::array<std::uint64_t, 2> buffer_{};
  std::uint32_t have_ = 2;
  std::uint64_t blocks_ = 0;
};

}  // namespace marlsim
