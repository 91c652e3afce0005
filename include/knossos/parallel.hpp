// knossos: the small thread pool behind ks::vmap(f, ks::par). Docs: docs/vmap.md
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ks::detail {

// A fixed set of worker threads, started on first use and reused by every parallel
// loop. The calling thread works too. One loop runs at a time: a loop started while
// another runs (from another thread, or nested) runs serially in its caller instead.
class thread_pool {
 public:
  static thread_pool& instance() {
    static thread_pool pool(std::max(1u, std::thread::hardware_concurrency()) - 1);
    return pool;
  }

  std::size_t threads() const { return workers_.size() + 1; }

  // Calls body(i) for every i in [0, n) and returns when all calls have returned.
  // body must not throw.
  void run(std::size_t n, std::function<void(std::size_t)> const& body) {
    std::unique_lock busy(run_mutex_, std::try_to_lock);
    if (!busy || workers_.empty() || n < 2) {
      for (std::size_t i = 0; i < n; ++i) body(i);
      return;
    }
    {
      std::lock_guard lock(mutex_);
      job_ = &body;
      total_ = n;
      next_.store(0);
      pending_ = workers_.size();
      ++generation_;
    }
    wake_.notify_all();
    work(body, n);
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return pending_ == 0; });
    job_ = nullptr;
  }

  thread_pool(thread_pool const&) = delete;
  thread_pool& operator=(thread_pool const&) = delete;

  ~thread_pool() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
  }

 private:
  explicit thread_pool(std::size_t workers) {
    for (std::size_t i = 0; i < workers; ++i) workers_.emplace_back([this] { loop(); });
  }

  void work(std::function<void(std::size_t)> const& body, std::size_t n) {
    for (std::size_t i = next_.fetch_add(1); i < n; i = next_.fetch_add(1)) body(i);
  }

  void loop() {
    std::size_t seen = 0;
    for (;;) {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      auto const* job = job_;
      std::size_t n = total_;
      lock.unlock();
      work(*job, n);
      lock.lock();
      if (--pending_ == 0) done_.notify_one();
    }
  }

  std::vector<std::thread> workers_;
  std::mutex run_mutex_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  std::function<void(std::size_t)> const* job_ = nullptr;
  std::atomic<std::size_t> next_{0};
  std::size_t total_ = 0;
  std::size_t pending_ = 0;
  std::size_t generation_ = 0;
  bool stop_ = false;
};

}  // namespace ks::detail
