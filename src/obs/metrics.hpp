// File: obs/metrics.hpp
//
// The gateway's metrics, written in Prometheus' text exposition format (version 0.0.4) by
// Registry::Exposition for GET /metrics. Written here because Debian 12 packages no C++
// Prometheus client; the format is small
// (https://prometheus.io/docs/instrumenting/exposition_formats/).
//
// A metric family has a name (prefixed socialgate_ by its owner; units in the name, _total for
// counters: Prometheus' naming conventions), a help text and the names of its labels; each set
// of label values is one series, made on first use and kept for the registry's life. A label
// value never names a person: no phone number, message text or credential (docs/operations.md).
//
// Updating a series is one atomic operation (relaxed; a scrape may see one update and not the
// next, never a torn value). Finding a series by its labels takes the family's lock: callers on
// hot paths look theirs up once and keep the reference, which stays valid as long as the
// registry (DefaultRegistry(): the process).
//
// Values read from elsewhere at scrape time (the outbox's depth, circuits' states) are set by a
// collector: a function the registry calls at the start of each Exposition, registered for as
// long as its handle lives.
//
// Thread safety: every method may be called from any thread at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace socialgate::obs {

// One series' label values, in the order of its family's label names.
using LabelValues = std::vector<std::string>;

class Counter {
 public:
  void Add(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t Value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
  void Add(double d) noexcept { value_.fetch_add(d, std::memory_order_relaxed); }
  double Value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Observations counted in buckets with fixed upper bounds (ascending; +Inf is implied).
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double v) noexcept;

  struct Snapshot {
    std::vector<std::uint64_t> cumulative;  // per bound, then +Inf (== count)
    double sum = 0;
    std::uint64_t count = 0;
  };
  Snapshot Read() const;
  const std::vector<double>& upper_bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1 (+Inf)
  std::atomic<double> sum_{0};
};

// Bucket bounds for durations in seconds: 0.5 ms to 10 s, about 2.5 apart.
std::vector<double> LatencyBuckets();

enum class MetricType { kCounter, kGauge, kHistogram };

// The series of one name. Metric is Counter, Gauge or Histogram.
template <class Metric>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::vector<double> upper_bounds = {});
  // The series with these label values (as many as the family has names; missing ones are
  // empty, extra ones ignored), made on first use.
  Metric& With(const LabelValues& values);
  // The series without labels (a family that has none).
  Metric& Get() { return With({}); }

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  // Every series, in label order, under the family's lock.
  void ForEach(const std::function<void(const LabelValues&, const Metric&)>& visit) const;

 private:
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  std::vector<double> upper_bounds_;  // histograms only
  mutable std::mutex mutex_;
  std::map<LabelValues, std::unique_ptr<Metric>> series_;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;
  Registry(Registry&&) = delete;
  Registry& operator=(Registry&&) = delete;
  ~Registry() = default;

  // The family of that name, made on first call; later calls with the same name get the same
  // family (their help and labels are the first call's). A name already used for another type
  // is a programming error: it aborts.
  CounterFamily& AddCounter(std::string_view name, std::string_view help,
                            std::vector<std::string> label_names = {});
  GaugeFamily& AddGauge(std::string_view name, std::string_view help,
                        std::vector<std::string> label_names = {});
  HistogramFamily& AddHistogram(std::string_view name, std::string_view help,
                                std::vector<std::string> label_names,
                                std::vector<double> upper_bounds);

  // Unregisters its collector when destroyed (waiting for a scrape that is calling it).
  class CollectorHandle {
   public:
    CollectorHandle() = default;
    CollectorHandle(Registry* registry, std::uint64_t id) : registry_(registry), id_(id) {}
    CollectorHandle(CollectorHandle&& other) noexcept;
    CollectorHandle& operator=(CollectorHandle&& other) noexcept;
    CollectorHandle(const CollectorHandle&) = delete;
    CollectorHandle& operator=(const CollectorHandle&) = delete;
    ~CollectorHandle();

   private:
    Registry* registry_ = nullptr;
    std::uint64_t id_ = 0;
  };
  // `collect` runs at the start of every Exposition (on the scraping thread, under the
  // registry's collector lock: it must be quick and must not register collectors).
  [[nodiscard]] CollectorHandle AddCollector(std::function<void()> collect);

  // Every family, sorted by name, in the text exposition format.
  std::string Exposition();

 private:
  struct Entry {
    MetricType type;
    std::shared_ptr<void> family;
  };
  template <class Metric>
  Family<Metric>& Add(MetricType type, std::string_view name, std::string_view help,
                      std::vector<std::string> label_names, std::vector<double> upper_bounds);
  void RemoveCollector(std::uint64_t id);

  std::mutex mutex_;  // families_
  std::map<std::string, Entry, std::less<>> families_;
  std::mutex collectors_mutex_;
  std::map<std::uint64_t, std::function<void()>> collectors_;
  std::uint64_t next_collector_ = 1;
};

// The process's registry: what GET /metrics shows.
Registry& DefaultRegistry();

// Text format helpers (exposed for tests): a label value with \ " and newline escaped; a help
// text with \ and newline escaped; a sample value (integers without a fraction, +Inf, -Inf, NaN).
std::string EscapeLabelValue(std::string_view v);
std::string EscapeHelp(std::string_view v);
std::string FormatSampleValue(double v);

}  // namespace socialgate::obs
