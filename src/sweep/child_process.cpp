#include "src/sweep/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <system_error>

extern char** environ;

namespace hierad::sweep {
namespace {

std::atomic<pid_t> g_child{0};
std::atomic<int> g_signals{0};

void on_stop_signal(int) {
  const int count = ++g_signals;
  const pid_t child = g_child.load();
  if (child <= 0) return;
  // kill() is async-signal-safe; escalate if the child does not stop.
  if (count == 1) ::kill(child, SIGUSR1);
  else if (count == 2) ::kill(child, SIGTERM);
  else ::kill(-child, SIGKILL);  // the whole group: the launcher and every rank it started
}

}  // namespace

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int signal : {SIGTERM, SIGINT, SIGUSR1}) ::sigaction(signal, &action, nullptr);
}

bool stop_requested() { return g_signals.load() > 0; }

namespace {

// Copies what was appended to `log` since `offset` to `echo`; returns the new offset.
std::uintmax_t copy_new_output(const std::filesystem::path& log, std::uintmax_t offset, std::FILE* echo) {
  std::FILE* in = std::fopen(log.c_str(), "rb");
  if (in == nullptr) return offset;
  std::fseek(in, static_cast<long>(offset), SEEK_SET);
  char buffer[1 << 14];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, in)) > 0;) {
    std::fwrite(buffer, 1, n, echo);
    offset += n;
  }
  std::fclose(in);
  std::fflush(echo);
  return offset;
}

}  // namespace

int run_child(const std::vector<std::string>& argv, const std::filesystem::path& log, std::FILE* echo) {
  std::error_code ignored;
  std::uintmax_t echoed = std::filesystem::exists(log, ignored) ? std::filesystem::file_size(log, ignored) : 0;
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);

  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&files, STDOUT_FILENO, STDERR_FILENO);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t defaults, none;
  sigemptyset(&defaults);
  for (int signal : {SIGTERM, SIGINT, SIGUSR1, SIGPIPE}) sigaddset(&defaults, signal);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  pid_t pid = 0;
  const int error = posix_spawnp(&pid, args[0], &files, &attributes, args.data(), environ);
  posix_spawn_file_actions_destroy(&files);
  posix_spawnattr_destroy(&attributes);
  if (error != 0) throw std::system_error(error, std::generic_category(), "cannot start " + argv[0]);

  g_child = pid;
  // A signal that arrived between the sweep's last check and the spawn still reaches the child.
  if (stop_requested()) ::kill(pid, SIGUSR1);
  int status = 0;
  while (true) {
    const pid_t done = ::waitpid(pid, &status, echo != nullptr ? WNOHANG : 0);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) {
      g_child = 0;
      throw std::system_error(errno, std::generic_category(), "waitpid for " + argv[0]);
    }
    if (echo != nullptr) {
      echoed = copy_new_output(log, echoed, echo);
      ::usleep(200 * 1000);
    }
  }
  g_child = 0;
  if (echo != nullptr) copy_new_output(log, echoed, echo);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

}  // namespace hierad::sweep
