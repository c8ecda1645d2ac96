// The application zoo: real programs of the kinds the FAQ names, each checkpointed
// twice at random moments, killed, and restarted from the last images; the output must
// equal that of an uninterrupted run. Per-application checkpoint and restart times
// and image sizes are printed as "ZOO ..." lines in the test log.
#include <netdb.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "arch/arch.h"
#include "gtest/gtest.h"
#include "testsuite/harness/sandbox.h"

namespace dmtcp_test {
namespace {

struct App {
  std::string name;
  std::vector<std::string> argv;  // {program, args...}; "@zoo/x" is a zoo file
  std::vector<std::string> env;
  std::string missing_hint;       // which Debian package provides the program
  std::string opencilk_source;    // built at test time with an OpenCilk clang: the program
};

// An OpenCilk clang: $OPENCILK_CLANG or OpenCilk's usual install places ("" if none).
std::string OpenCilkCompiler() {
  std::vector<std::string> candidates = {"/opt/opencilk/bin/clang", "/usr/local/opencilk/bin/clang"};
  if (const char* env = getenv("OPENCILK_CLANG")) candidates.insert(candidates.begin(), env);
  for (const std::string& clang : candidates) {
    if (access(clang.c_str(), X_OK) == 0) return clang;
  }
  return "";
}

std::string ZooPath(const std::string& name) { return Runfile("testsuite/zoo/" + name); }

// Where this build's interpreters and MPI live: the host's own on x86, Debian's arm64
// or armhf packages unpacked by ci/sysroot for the ARM builds (run under QEMU).
std::string ForeignRoot() {
  if (ARCH_ID == ARCH_ID_AARCH64) return "/opt/dmtcp-sysroot/arm64";
  if (ARCH_ID == ARCH_ID_ARMV7) return "/opt/dmtcp-sysroot/armhf";
  return "";
}

// "@zoo/x" names a zoo file, "@box/x" a file in the test's sandbox directory, and
// "@root/x" a file of this arch's Debian system (ForeignRoot).
std::vector<std::string> Resolve(const std::vector<std::string>& argv, const Sandbox& box) {
  std::vector<std::string> out;
  for (const std::string& a : argv) {
    if (a.rfind("@zoo/", 0) == 0) {
      out.push_back(ZooPath(a.substr(5)));
    } else if (a.rfind("@root/", 0) == 0) {
      out.push_back(ForeignRoot() + a.substr(5));
    } else if (a.rfind("@box/", 0) == 0) {
      out.push_back(box.Path(a.substr(5)));
    } else {
      out.push_back(a);
    }
  }
  return out;
}

// The number of "step N ..." lines so far.
int Steps(const std::string& text) {
  int steps = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) steps += absl::StartsWith(line, "step ");
  return steps;
}

int64_t ImageBytes(const Sandbox& box) {
  int64_t total = 0;
  for (const std::string& image : box.Images()) {
    struct stat st;
    if (stat(image.c_str(), &st) == 0) total += st.st_size;
  }
  return total;
}

// MPI libraries look their own host up by name.
bool HostNameResolves() {
  char name[256] = "";
  if (gethostname(name, sizeof name - 1) != 0) return false;
  struct addrinfo* found = nullptr;
  if (getaddrinfo(name, nullptr, nullptr, &found) != 0) return false;
  freeaddrinfo(found);
  return true;
}

class Zoo : public ::testing::TestWithParam<App> {};

TEST_P(Zoo, TwoCheckpointsKillRestartGivesTheUninterruptedOutput) {
  const App& app = GetParam();
  Sandbox box;
  std::vector<std::string> argv = Resolve(app.argv, box);
  std::vector<std::string> env;
  for (const std::string& e : app.env) env.push_back(absl::StrReplaceAll(e, {{"@box/", box.Path("")}}));
  if (!app.opencilk_source.empty()) {
    const std::string clang = OpenCilkCompiler();
    if (clang.empty()) {
      GTEST_SKIP() << "SKIPPED LOUDLY: " << app.name << ": no OpenCilk compiler (Debian ships "
                   << "none); set OPENCILK_CLANG to an OpenCilk clang to run this entry";
    }
    argv[0] = box.Path("built_program");
    Output built = box.Run({clang, "-fopencilk", "-O2", "-o", argv[0], ZooPath(app.opencilk_source)});
    ASSERT_EQ(built.exit.code, 0) << app.name << ": " << clang << " could not build "
                                  << app.opencilk_source << ": " << built.err;
  }
  if (std::string why = WhyCannotLaunch(argv[0]); !why.empty()) {
    GTEST_SKIP() << "SKIPPED LOUDLY: " << app.name << ": " << why << app.missing_hint;
  }
  if ((app.name == "mpich" || app.name == "openmpi") && !HostNameResolves()) {
    GTEST_SKIP() << "SKIPPED LOUDLY: " << app.name << ": this machine's host name does not "
                 << "resolve (no /etc/hosts entry), and MPI_Init needs it";
  }
  const bool threaded = app.name == "openmp" || app.name == "tbb" || app.name == "java";
  if (std::string why = EmulatorLosesThreadState(); threaded && !why.empty()) {
    GTEST_SKIP() << app.name << ": " << why;
  }
  Output reference = box.Run(argv, env, absl::Seconds(120));
  ASSERT_EQ(reference.exit.code, 0) << app.name << ": the uninterrupted run failed: " << reference.err;
  ASSERT_NE(reference.out.find("RESULT"), std::string::npos) << reference.out;
  const int total_steps = Steps(reference.out);

  const pid_t pid = box.Spawn(box.LaunchArgv(argv), "app", env);
  std::mt19937 random(std::random_device{}());
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi - 1)(random); };
  int at = 0;
  std::string report = absl::StrCat("ZOO ", app.name, ":");
  for (int i = 0; i < 2; i++) {
    at += uniform(3, total_steps / 3);
    const int wanted = at;
    ASSERT_TRUE(box.WaitForOutput("app", [&](const std::string& t) { return Steps(t) >= wanted; },
                                  absl::Seconds(120)))
        << app.name << ": step " << wanted << " never came: " << ReadFile(box.Path("app.err"));
    usleep(uniform(0, 50000));  // somewhere inside a step
    const absl::Time start = absl::Now();
    Output ck = box.Command({"-bc"});
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
    ASSERT_EQ(ck.exit.code, 0) << app.name << ": checkpoint " << i + 1 << " failed: " << ck.out << ck.err;
    absl::StrAppendFormat(&report, " checkpoint %d at step %d: %.2f s, %zu image(s), %.1f MB;", i + 1,
                          Steps(ReadFile(box.Path("app.out"))), seconds, box.Images().size(),
                          ImageBytes(box) / 1e6);
  }
  ASSERT_LT(Steps(ReadFile(box.Path("app.out"))), total_steps) << app.name << " finished before the kill";
  // Through the coordinator, as users do: MPI ranks live in sessions of their own.
  Output killed = box.Command({"-k"});
  ASSERT_EQ(killed.exit.code, 0) << app.name << ": dmtcp_command -k failed: " << killed.err;
  box.Wait(pid);

  const absl::Time start = absl::Now();
  const pid_t restarted = box.Spawn({"/bin/bash", box.Path("dmtcp_restart_script.sh")}, "restart");
  Exit e = box.Wait(restarted, absl::Seconds(180));
  absl::StrAppendFormat(&report, " restart to the end: %.2f s",
                        absl::ToDoubleSeconds(absl::Now() - start));
  std::fprintf(stderr, "%s\n", report.c_str());
  EXPECT_TRUE(e.exited && e.code == 0) << app.name << ": the restart failed: " << e.Describe() << "\n"
                                       << ReadFile(box.Path("restart.err"));
  EXPECT_EQ(ReadFile(box.Path("app.out")), reference.out)
      << app.name << ": the restarted run's output differs from the uninterrupted run's";
}

std::vector<App> Apps() {
  return {
      {"python", {"@root/usr/bin/python3.11", "@zoo/apps/work.py", "40", "0.08"}, {},
       " (package python3.11; for ARM builds ci/sysroot unpacks Debian's arm64/armhf one)"},
      {"perl", {"/usr/bin/perl", "@zoo/apps/work.pl", "40", "0.08"}, {}, " (package perl)"},
      {"ruby", {"/usr/bin/ruby", "@zoo/apps/work.rb", "40", "0.08"}, {}, " (package ruby)"},
      {"r", {"/usr/bin/Rscript", "@zoo/apps/work.R", "40", "0.08"}, {}, " (package r-base-core)"},
      // No hsperfdata file: runs in other pid namespaces with the same pid print a
      // warning naming the pid into the output.
      {"java", {"/usr/bin/java", "-Xmx256m", "-XX:-UsePerfData", "@zoo/apps/Work.java", "40", "80"},
       {}, " (package openjdk-17-jdk-headless)"},
      {"openmp", {"@zoo/omp_reduce", "40", "60"}, {"OMP_NUM_THREADS=4"}, ""},
      {"tbb", {"@zoo/tbb_work", "40", "60"}, {},
       " (oneTBB, package libtbb-dev, is installed for the host arch only)"},
      {"cilk", {"(built)", "40", "60"}, {"CILK_NWORKERS=4"}, "", "apps/cilk_work.c"},
      // 4 ranks on this host with each MPI's default transports: shared memory (UCX's
      // posix segments and cross-memory attach; Open MPI's vader) and TCP. Open MPI
      // names its session directory (under TMPDIR) and vader its /dev/shm segments after
      // the job id, made from mpirun's pid: inside Bazel's pid namespace every run has
      // the same, and meets what a killed run left (SIGKILL cleans nothing up). So both
      // go into the test's own directory.
      {"mpich", {"@root/usr/bin/mpiexec.hydra", "-n", "4", "@zoo/mpi_ring_mpich", "40", "80"},
       {"HYDRA_LAUNCHER=fork"},
       " (packages mpich, libmpich-dev; for ARM builds ci/sysroot unpacks Debian's arm64/armhf "
       "ones)"},
      {"openmpi",
       {"/usr/bin/mpirun.openmpi", "--allow-run-as-root", "--oversubscribe", "-np", "4", "--mca",
        "btl_vader_backing_directory", "@box/", "@zoo/mpi_ring_openmpi", "40", "80"},
       {"TMPDIR=@box/"}, " (packages openmpi-bin, libopenmpi-dev)"},
  };
}

INSTANTIATE_TEST_SUITE_P(Apps, Zoo, ::testing::ValuesIn(Apps()),
                         [](const ::testing::TestParamInfo<App>& info) { return info.param.name; });

}  // namespace
}  // namespace dmtcp_test
