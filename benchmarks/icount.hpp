// Exact counts of the user-space instructions a callable executes, by ptrace
// single-stepping a forked child (these VMs expose no hardware counters: `perf stat`
// says "not supported"). Counts do not depend on machine load, so ratios of them are
// stable where timings on a shared machine are not. Linux only. Single-stepping costs
// ~1-5 us per instruction: keep a counted call to a few hundred thousand instructions.
//
//   std::uint64_t n = icount::count([&] { kernel(x, y, 4096); });
//
// The count includes a small constant for the signalling around the call (the rest of
// raise(SIGUSR1), the start of raise(SIGUSR2)); icount::overhead() measures it with an
// empty callable. Differences of counts cancel it.
#pragma once

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace icount {

namespace detail {

[[noreturn]] inline void fail(pid_t child, std::string const& what) {
  if (child > 0) {
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
  }
  throw std::runtime_error("icount: " + what);
}

// Wait for the child's next stop; anything but a stop is an error.
inline int next_stop(pid_t child, char const* where) {
  int status = 0;
  if (waitpid(child, &status, 0) != child) fail(child, std::string("waitpid failed ") + where);
  if (WIFEXITED(status)) fail(-1, std::string("the child exited ") + where);
  if (WIFSIGNALED(status))
    fail(-1, "the child was killed by signal " + std::to_string(WTERMSIG(status)) + " " + where);
  return WSTOPSIG(status);
}

}  // namespace detail

/// The user-space instructions fn() executes, plus the constant of overhead(). The
/// child calls fn once before counting, so lazy symbol binding, first-touch page faults
/// (kernel time, not counted anyway) and one-time initialisation stay out of the count.
template <class F>
std::uint64_t count(F&& fn) {
  std::fflush(nullptr);  // the child must not flush the parent's buffered output again
  pid_t child = fork();
  if (child < 0) throw std::runtime_error("icount: fork failed");
  if (child == 0) {
    fn();  // warm-up
    if (ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != 0) _exit(2);
    raise(SIGSTOP);  // the parent attaches its options here
    raise(SIGUSR1);  // counting starts after this
    fn();
    raise(SIGUSR2);  // and stops here
    _exit(0);
  }
  if (detail::next_stop(child, "before its SIGSTOP") != SIGSTOP) detail::fail(child, "expected SIGSTOP");
  // If this process dies, the child must not run on untraced.
  ptrace(PTRACE_SETOPTIONS, child, nullptr, reinterpret_cast<void*>(PTRACE_O_EXITKILL));
  ptrace(PTRACE_CONT, child, nullptr, nullptr);
  if (detail::next_stop(child, "before SIGUSR1") != SIGUSR1) detail::fail(child, "expected SIGUSR1");
  std::uint64_t n = 0;
  for (;;) {
    // Signal 0: SIGUSR1 is not delivered; each step stops with SIGTRAP after one instruction.
    if (ptrace(PTRACE_SINGLESTEP, child, nullptr, nullptr) != 0) detail::fail(child, "PTRACE_SINGLESTEP failed");
    int sig = detail::next_stop(child, "while counting");
    if (sig == SIGUSR2) break;
    if (sig != SIGTRAP) detail::fail(child, "signal " + std::to_string(sig) + " while counting");
    ++n;
  }
  ptrace(PTRACE_CONT, child, nullptr, nullptr);  // SIGUSR2 suppressed: the child runs to _exit(0)
  int status = 0;
  waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("icount: the child did not exit cleanly");
  return n;
}

/// What count() adds to any callable: the count of an empty one.
inline std::uint64_t overhead() {
  static const std::uint64_t n = count([] {});
  return n;
}

}  // namespace icount
