// orders.csv loading and the group-commit writer thread.
#include "replica/order-file.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include <fmt/format.h>

#include "schema/config/cluster-config.h"
#include "schema/orders/csv.h"
#include "schema/runtime/failure-words.h"
#include "schema/runtime/log.h"
#include "schema/orders/version-vector.h"

#include <kj/debug.h>

namespace jh {

namespace {

std::string headerLine() {
  std::string line;
  appendCsvRecord(line, orderCsvHeader());
  return line;
}

// The file's bytes, mapped read-only for the load: no copy and no zeroed buffer of the file's
// size (the rows keep their own copies of what they need).
class MappedFile {
 public:
  MappedFile(int fd, const std::string& path) {
    struct stat st;
    if (fstat(fd, &st) != 0) throw ConfigError(fmt::format("{}: {}", path, strerror(errno)));
    size_ = static_cast<size_t>(st.st_size);
    if (size_ == 0) return;
    void* at = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (at == MAP_FAILED)
      throw ConfigError(fmt::format("{}: cannot be read: {}", path, strerror(errno)));
    data_ = static_cast<const char*>(at);
    madvise(at, size_, MADV_SEQUENTIAL);
  }
  ~MappedFile() {
    if (data_) munmap(const_cast<char*>(data_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  std::string_view text() const { return {data_ ? data_ : "", size_}; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

// A write cut short leaves at most the start of one record. Whether `tail`, which does not end as a
// record, has a complete record after its first line break: then it is damage, not a torn write.
bool completeRecordFollows(std::string_view tail) {
  size_t lineBreak = tail.find('\n');
  if (lineBreak == std::string_view::npos) return false;
  CsvReader rest(tail.substr(lineBreak + 1));
  std::vector<std::string_view> fields;
  return rest.next(fields) == CsvReader::Result::RECORD;
}

}  // namespace

namespace {
struct VectorLoader final : OrderFile::Loader {
  explicit VectorLoader(std::vector<OrderRecord>& v) : orders(v) {}
  void expect(size_t n) override { orders.reserve(n); }
  void add(const OrderView& order) override { orders.push_back(order.record()); }
  std::vector<OrderRecord>& orders;
};
}  // namespace

OrderFile::OrderFile(std::string path, std::vector<OrderRecord>& loaded,
                     kj::LowLevelAsyncIoProvider* io)
    : OrderFile(std::move(path), VectorLoader(loaded), io) {}

OrderFile::OrderFile(std::string path, Loader&& loader, kj::LowLevelAsyncIoProvider* io)
    : path_(std::move(path)), writing_(path_) {
  if (io) bell_ = kj::heap<LoopBell>(*io);
  if (access(path_.c_str(), F_OK) != 0 && errno == ENOENT) {
    holdsHistory_ = false;
    writing_ = path_ + ".partial";
  }
  fd_ = ::open(writing_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw ConfigError(fmt::format("{}: cannot be opened: {}", writing_, strerror(errno)));
  try {
    load(loader);
  } catch (...) {
    ::close(fd_);  // the destructor does not run for a constructor that throws
    throw;
  }
  writer_ = std::thread([this] { writerLoop(); });
}

void OrderFile::load(Loader& loader) {
  size_t fileSize = 0;
  size_t goodLength = 0;  // where the last complete record ends
  bool header = true;
  {  // (the mapping ends before the file may be cut)
    MappedFile file(fd_, writing_);
    std::string_view data = file.text();
    fileSize = data.size();
    CsvReader reader(data);
    std::vector<std::string_view> fields;
    // Per origin incarnation: rows must be 1, 2, 3...
    std::map<OriginIncarnation, uint64_t, OriginIncarnationLess> lastSeq;
    const OriginIncarnation* lastSource = nullptr;  // rows come in runs of one origin incarnation
    uint64_t* lastSourceSeq = nullptr;
    bool beforeIncarnations = false;   // the old header: rows of 10 fields may follow
    loader.expect(data.size() / 120);  // about one order per 120 bytes
    while (true) {
      auto result = reader.next(fields);
      if (result == CsvReader::Result::END) break;
      if (result == CsvReader::Result::TORN) {
        if (completeRecordFollows(data.substr(reader.recordOffset()))) {
          throw ConfigError(fmt::format("{}:{}: a quoted field that is never closed", writing_,
                                        reader.recordLine()));
        }
        JH_WARN(
            "{} ends in a record cut short at line {} (a write interrupted by a crash): cutting "
            "off its "
            "{} bytes, which were never acknowledged",
            writing_, reader.recordLine(), data.size() - reader.recordOffset());
        break;
      }
      auto where = [&]() { return fmt::format("{}:{}", writing_, reader.recordLine()); };
      if (result == CsvReader::Result::BAD) throw ConfigError(where() + ": " + reader.error());
      if (fields.size() == 1 && fields[0].empty()) {  // a blank line (a disk probe cut short)
        goodLength = reader.position();
        continue;
      }
      if (header) {
        header = false;
        beforeIncarnations = fields == orderCsvHeaderBeforeIncarnations();
        if (fields != orderCsvHeader() && !beforeIncarnations) {
          throw ConfigError(where() + ": the first line is not the orders header");
        }
        if (beforeIncarnations) {
          JH_INFO(
              "{} was written before incarnations existed: its rows count as incarnation 0, and "
              "new "
              "rows carry an incarnation column",
              writing_);
        }
      } else {
        if (fields.size() != orderCsvHeader().size() && !beforeIncarnations) {
          throw ConfigError(fmt::format("{}: expected {} fields, found {}", where(),
                                        orderCsvHeader().size(), fields.size()));
        }
        std::string error;
        auto order = orderFromCsv(fields, error);
        if (!order) throw ConfigError(where() + ": " + error);
        if (!lastSource || lastSource->origin != order->origin ||
            lastSource->incarnation != order->incarnation) {
          auto it =
              lastSeq
                  .try_emplace(OriginIncarnation{std::string(order->origin), order->incarnation}, 0)
                  .first;
          lastSource = &it->first;
          lastSourceSeq = &it->second;
        }
        uint64_t& last = *lastSourceSeq;
        if (order->seq != last + 1) {
          throw ConfigError(fmt::format(
              "{}: seq {} of origin {} incarnation {} follows seq {} (a gap or a repeat)", where(),
              order->seq, order->origin, order->incarnation, last));
        }
        last = order->seq;
        loader.add(*order);
      }
      goodLength = reader.position();
    }
  }

  if (header) goodLength = 0;  // nothing but blank lines: start the file afresh
  if (goodLength < fileSize || goodLength == 0) {
    if (ftruncate(fd_, static_cast<off_t>(goodLength)) != 0) {
      throw ConfigError(
          fmt::format("{}: cannot cut off the torn record: {}", writing_, strerror(errno)));
    }
    std::string error;
    if (goodLength == 0) {
      size_ = 0;
      if (!writeAll(headerLine(), error)) throw ConfigError(writing_ + ": " + error);
    }
    if (fdatasync(fd_) != 0)
      throw ConfigError(fmt::format("{}: fdatasync: {}", writing_, strerror(errno)));
  }
  size_ = static_cast<uint64_t>(lseek(fd_, 0, SEEK_END));
}

void OrderFile::keepHistory() {
  if (holdsHistory_) return;
  // The rows are durable already (every append was synced); the rename makes the name durable.
  if (::rename(writing_.c_str(), path_.c_str()) != 0) {
    JH_ERROR(
        "cannot rename {} to {} ({}): this replica still vouches for none of its earlier orders",
        writing_, path_, strerror(errno));
    return;
  }
  std::string dir = path_.substr(0, path_.find_last_of('/') + 1);
  int dirFd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirFd >= 0) {
    fsync(dirFd);
    ::close(dirFd);
  }
  holdsHistory_ = true;
  JH_INFO("{} now holds every order this replica ever stored (renamed from {})", path_, writing_);
  writing_ = path_;
}

OrderFile::~OrderFile() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (writer_.joinable()) writer_.join();
  if (fd_ >= 0) ::close(fd_);
}

void OrderFile::listen() {
  if (delivering_ != nullptr) return;
  KJ_REQUIRE(bell_ != nullptr, "appending to an OrderFile opened without an event loop", path_);
  delivering_ = deliverWhenRung().eagerlyEvaluate(nullptr);
}

kj::Promise<void> OrderFile::deliverWhenRung() {
  return KJ_ASSERT_NONNULL(bell_)->heard().then([this]() {
    deliverFinished();
    return deliverWhenRung();
  });
}

void OrderFile::ringBell() {
  KJ_IF_MAYBE (bell, bell_) { (*bell)->ring(); }
}

void OrderFile::deliverFinished() {
  std::vector<Pending> finished;
  std::vector<Probe> probed;
  {
    std::lock_guard lock(mutex_);
    finished.swap(finished_);
    probed.swap(probed_);
  }
  for (auto& p : finished) {
    KJ_IF_MAYBE (e, p.failure) {
      p.done->reject(kj::mv(*e));
    } else {
      p.done->fulfill();
    }
  }
  for (auto& p : probed) p.done->fulfill(kj::cp(p.ok));
}

kj::Promise<void> OrderFile::append(std::string records) {
  listen();
  auto paf = kj::newPromiseAndFulfiller<void>();
  {
    std::lock_guard lock(mutex_);
    if (failed_) {
      return plainException(kj::Exception::Type::FAILED,
                            fmt::format("{} cannot be written: {}", writing_, failure_));
    }
    queue_.push_back(Pending{std::move(records), kj::mv(paf.fulfiller), nullptr});
  }
  wake_.notify_one();
  return kj::mv(paf.promise);
}

void OrderFile::resume() {
  std::lock_guard lock(mutex_);
  failed_ = false;
}

kj::Promise<bool> OrderFile::probe() {
  listen();
  auto paf = kj::newPromiseAndFulfiller<bool>();
  {
    std::lock_guard lock(mutex_);
    probes_.push_back(Probe{kj::mv(paf.fulfiller), false});
  }
  wake_.notify_one();
  return kj::mv(paf.promise);
}

bool OrderFile::probeNow() {
  std::string error;
  uint64_t before = size_;
  bool ok = writeAll("\r\n", error) && fdatasync(fd_) == 0;
  bool cut = ftruncate(fd_, static_cast<off_t>(before)) == 0 && fdatasync(fd_) == 0;
  if (cut) size_ = before;
  return ok && cut;
}

bool OrderFile::writeAll(const std::string& bytes, std::string& error) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = fmt::format("write failed: {}", strerror(errno));
      return false;
    }
    done += static_cast<size_t>(n);
  }
  size_ += bytes.size();
  return true;
}

void OrderFile::writerLoop() {
  pthread_setname_np(pthread_self(), "jh-writer");  // (per-thread CPU: scripts/cpu-per-order.sh)
  std::vector<Pending> batch;
  std::string bytes;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty() || !probes_.empty(); });
      if (!probes_.empty()) {
        std::vector<Probe> probes;
        probes.swap(probes_);
        lock.unlock();
        bool ok = probeNow();
        lock.lock();
        if (ok) failed_ = false;
        for (auto& p : probes) {
          p.ok = ok;
          probed_.push_back(kj::mv(p));
        }
        lock.unlock();
        ringBell();
        continue;
      }
      if (queue_.empty()) return;  // stopping, and everything queued is done
      batch.swap(queue_);
    }
    bytes.clear();
    for (auto& p : batch) bytes += p.bytes;

    uint64_t before = size_;
    std::string error;
    bool ok = writeAll(bytes, error);
    if (ok && fdatasync(fd_) != 0) {
      error = fmt::format("fdatasync failed: {}", strerror(errno));
      ok = false;
    }
    if (ok) {
      ++syncs_;
      std::lock_guard lock(mutex_);
      for (auto& p : batch) finished_.push_back(kj::mv(p));
    } else {
      // Nothing of this batch is acknowledged: cut the file back so that no half-written or
      // unsynced record is read as an order at the next start.
      if (ftruncate(fd_, static_cast<off_t>(before)) == 0) size_ = before;
      JH_ERROR(
          "cannot write {} ({}): {} of orders not stored, and no more taken until the disk "
          "works again",
          path_, error,
          batch.size() == 1 ? std::string("1 batch") : fmt::format("{} batches", batch.size()));
      auto failure = plainException(kj::Exception::Type::FAILED,
                                    fmt::format("cannot write {}: {}", path_, error));
      std::lock_guard lock(mutex_);
      failed_ = true;
      failure_ = error;
      for (auto* list : {&batch, &queue_}) {
        for (auto& p : *list) {
          p.failure = kj::cp(failure);
          finished_.push_back(kj::mv(p));
        }
        list->clear();
      }
    }
    batch.clear();
    ringBell();
  }
}

}  // namespace jh
