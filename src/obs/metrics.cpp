#include "obs/metrics.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace socialgate::obs {

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {
  std::sort(bounds_.begin(), bounds_.end());
}

void Histogram::Observe(double v) noexcept {
  // The first bound at or above v; +Inf past the last.
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
  buckets_[static_cast<std::size_t>(it - bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot s;
  s.cumulative.reserve(bounds_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

std::vector<double> LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

template <class Metric>
Family<Metric>::Family(std::string name, std::string help, std::vector<std::string> label_names,
                       std::vector<double> upper_bounds)
    : name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)),
      upper_bounds_(std::move(upper_bounds)) {
  // A family without labels has its one series from the start: it shows 0 before any update.
  if (label_names_.empty()) With({});
}

template <class Metric>
Metric& Family<Metric>::With(const LabelValues& values) {
  LabelValues key(label_names_.size());
  for (std::size_t i = 0; i < key.size() && i < values.size(); ++i) key[i] = values[i];
  std::lock_guard lock(mutex_);
  auto it = series_.find(key);
  if (it == series_.end()) {
    std::unique_ptr<Metric> made;
    if constexpr (std::is_same_v<Metric, Histogram>) {
      made = std::make_unique<Histogram>(upper_bounds_);
    } else {
      made = std::make_unique<Metric>();
    }
    it = series_.emplace(std::move(key), std::move(made)).first;
  }
  return *it->second;
}

template <class Metric>
void Family<Metric>::ForEach(
    const std::function<void(const LabelValues&, const Metric&)>& visit) const {
  std::lock_guard lock(mutex_);
  for (const auto& [labels, metric] : series_) visit(labels, *metric);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

template <class Metric>
Family<Metric>& Registry::Add(MetricType type, std::string_view name, std::string_view help,
                              std::vector<std::string> label_names,
                              std::vector<double> upper_bounds) {
  std::lock_guard lock(mutex_);
  auto it = families_.find(name);
  if (it != families_.end()) {
    if (it->second.type != type) {
      std::fprintf(stderr, "metric %.*s registered with two types\n", static_cast<int>(name.size()),
                   name.data());
      std::abort();
    }
    return *static_cast<Family<Metric>*>(it->second.family.get());
  }
  auto family = std::make_shared<Family<Metric>>(std::string(name), std::string(help),
                                                 std::move(label_names), std::move(upper_bounds));
  Family<Metric>& ref = *family;
  families_.emplace(std::string(name), Entry{type, std::move(family)});
  return ref;
}

CounterFamily& Registry::AddCounter(std::string_view name, std::string_view help,
                                    std::vector<std::string> label_names) {
  return Add<Counter>(MetricType::kCounter, name, help, std::move(label_names), {});
}

GaugeFamily& Registry::AddGauge(std::string_view name, std::string_view help,
                                std::vector<std::string> label_names) {
  return Add<Gauge>(MetricType::kGauge, name, help, std::move(label_names), {});
}

HistogramFamily& Registry::AddHistogram(std::string_view name, std::string_view help,
                                        std::vector<std::string> label_names,
                                        std::vector<double> upper_bounds) {
  return Add<Histogram>(MetricType::kHistogram, name, help, std::move(label_names),
                        std::move(upper_bounds));
}

Registry::CollectorHandle::CollectorHandle(CollectorHandle&& other) noexcept
    : registry_(std::exchange(other.registry_, nullptr)), id_(other.id_) {}

Registry::CollectorHandle& Registry::CollectorHandle::operator=(CollectorHandle&& other) noexcept {
  if (this != &other) {
    if (registry_ != nullptr) registry_->RemoveCollector(id_);
    registry_ = std::exchange(other.registry_, nullptr);
    id_ = other.id_;
  }
  return *this;
}

Registry::CollectorHandle::~CollectorHandle() {
  if (registry_ != nullptr) registry_->RemoveCollector(id_);
}

Registry::CollectorHandle Registry::AddCollector(std::function<void()> collect) {
  std::lock_guard lock(collectors_mutex_);
  const std::uint64_t id = next_collector_++;
  collectors_.emplace(id, std::move(collect));
  return CollectorHandle(this, id);
}

void Registry::RemoveCollector(std::uint64_t id) {
  std::lock_guard lock(collectors_mutex_);
  collectors_.erase(id);
}

std::string EscapeLabelValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeHelp(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatSampleValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  std::array<char, 32> buf{};
  const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  if (ec != std::errc()) return "NaN";
  return std::string(buf.data(), end);
}

namespace {

// {a="x",b="y"} (with `extra`, e.g. le="0.5", last), or "" without any label.
std::string LabelSet(const std::vector<std::string>& names, const LabelValues& values,
                     std::string_view extra = {}) {
  if (names.empty() && extra.empty()) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i];
    out += "=\"";
    out += EscapeLabelValue(values[i]);
    out += '"';
  }
  if (!extra.empty()) {
    if (!names.empty()) out += ',';
    out += extra;
  }
  out += '}';
  return out;
}

void Header(std::string& out, const std::string& name, const std::string& help,
            std::string_view type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += EscapeHelp(help);
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void Sample(std::string& out, std::string_view name, const std::string& labels,
            std::string_view value) {
  out += name;
  out += labels;
  out += ' ';
  out += value;
  out += '\n';
}

}  // namespace

std::string Registry::Exposition() {
  {
    std::lock_guard lock(collectors_mutex_);
    for (const auto& [id, collect] : collectors_) collect();
  }
  std::vector<std::pair<std::string, Entry>> families;
  {
    std::lock_guard lock(mutex_);
    families.assign(families_.begin(), families_.end());
  }
  std::string out;
  out.reserve(16 * 1024);
  for (const auto& family : families) {
    // Named, not a structured binding: clang 14 cannot capture those in the lambdas below.
    const std::string& name = family.first;
    const Entry& entry = family.second;
    switch (entry.type) {
      case MetricType::kCounter: {
        const auto& f = *static_cast<const CounterFamily*>(entry.family.get());
        Header(out, name, f.help(), "counter");
        f.ForEach([&](const LabelValues& labels, const Counter& c) {
          Sample(out, name, LabelSet(f.label_names(), labels), std::to_string(c.Value()));
        });
        break;
      }
      case MetricType::kGauge: {
        const auto& f = *static_cast<const GaugeFamily*>(entry.family.get());
        Header(out, name, f.help(), "gauge");
        f.ForEach([&](const LabelValues& labels, const Gauge& g) {
          Sample(out, name, LabelSet(f.label_names(), labels), FormatSampleValue(g.Value()));
        });
        break;
      }
      case MetricType::kHistogram: {
        const auto& f = *static_cast<const HistogramFamily*>(entry.family.get());
        Header(out, name, f.help(), "histogram");
        const std::string bucket = name + "_bucket";
        f.ForEach([&](const LabelValues& labels, const Histogram& h) {
          const Histogram::Snapshot s = h.Read();
          const auto& bounds = h.upper_bounds();
          for (std::size_t i = 0; i <= bounds.size(); ++i) {
            const std::string le =
                "le=\"" + (i < bounds.size() ? FormatSampleValue(bounds[i]) : "+Inf") + "\"";
            Sample(out, bucket, LabelSet(f.label_names(), labels, le),
                   std::to_string(s.cumulative[i]));
          }
          const std::string plain = LabelSet(f.label_names(), labels);
          Sample(out, name + "_sum", plain, FormatSampleValue(s.sum));
          Sample(out, name + "_count", plain, std::to_string(s.count));
        });
        break;
      }
    }
  }
  return out;
}

Registry& DefaultRegistry() {
  static Registry registry;
  return registry;
}

}  // namespace socialgate::obs
