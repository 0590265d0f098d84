// choose_device() for every kind of machine a rank can find itself on, without needing one.
#include "src/distributed/communicator.hpp"
#include "src/distributed/device_selection.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hierad::distributed {
namespace {

using ::testing::HasSubstr;

CudaProbe gpus(int count, std::optional<std::string> visible = std::nullopt) {
  CudaProbe p;
  p.compiled = true;
  p.driver_present = true;
  p.device_count = count;
  p.visible_devices = std::move(visible);
  return p;
}

NodePlace place(int world_rank, int local_rank, int local_size) { return {world_rank, local_rank, local_size}; }

std::string error_of(const std::string& setting, const CudaProbe& probe, const NodePlace& where) {
  try {
    const DeviceChoice choice = choose_device(setting, probe, where);
    return "no error: " + choice.str();
  } catch (const DistError& e) {
    return e.what();
  }
}

TEST(ChooseDevice, CudaIsTheNodeLocalRanksGpuWhenEveryRankSeesEveryGpu) {
  for (int local = 0; local < 4; ++local) {
    const DeviceChoice c = choose_device("cuda", gpus(4), place(8 + local, local, 4));
    EXPECT_TRUE(c.cuda);
    EXPECT_EQ(c.index, local);
    EXPECT_EQ(c.str(), "cuda:" + std::to_string(local));
  }
}

TEST(ChooseDevice, CudaIsDeviceZeroWhenEachRankSeesOnlyItsOwnGpu) {
  // srun --gpus-per-task=1 or CUDA_VISIBLE_DEVICES per task: local rank 3 sees one GPU, as cuda:0.
  const DeviceChoice c = choose_device("cuda", gpus(1, "3"), place(3, 3, 4));
  EXPECT_TRUE(c.cuda);
  EXPECT_EQ(c.index, 0);
  EXPECT_THAT(c.reason, HasSubstr("one GPU this rank sees"));
}

TEST(ChooseDevice, TooFewGpusForTheRanksOfANodeIsAnErrorNamingRankAndDevices) {
  const std::string e = error_of("cuda", gpus(2, "0,1"), place(6, 2, 4));
  EXPECT_THAT(e, HasSubstr("[rank 6]"));
  EXPECT_THAT(e, HasSubstr("local rank 2 of 4"));
  EXPECT_THAT(e, HasSubstr("2 CUDA device(s) visible (CUDA_VISIBLE_DEVICES=\"0,1\")"));
}

TEST(ChooseDevice, ExplicitIndex) {
  EXPECT_EQ(choose_device("cuda:1", gpus(2), place(0, 0, 1)).index, 1);
  EXPECT_EQ(choose_device("cuda:0", gpus(1), place(5, 1, 2)).index, 0);
  EXPECT_THAT(error_of("cuda:2", gpus(2), place(1, 1, 2)), HasSubstr("[rank 1] model.device = \"cuda:2\""));
}

TEST(ChooseDevice, CudaWithoutAnyGpuIsAnErrorWithTheDriversMessage) {
  CudaProbe p = gpus(0, "");
  p.error = "cudaErrorNoDevice: no CUDA-capable device is detected";
  p.no_device_error = true;
  const std::string e = error_of("cuda", p, place(0, 0, 1));
  EXPECT_THAT(e, HasSubstr("sees no GPU"));
  EXPECT_THAT(e, HasSubstr("CUDA_VISIBLE_DEVICES=\"\""));
  EXPECT_THAT(e, HasSubstr("no CUDA-capable device"));
  CudaProbe none;  // a build without CUDA
  EXPECT_THAT(error_of("cuda", none, place(0, 0, 1)), HasSubstr("without CUDA"));
}

TEST(ChooseDevice, AutoTakesTheGpuWhenTheDriverWorks) {
  const DeviceChoice c = choose_device("auto", gpus(8), place(13, 5, 8));
  EXPECT_TRUE(c.cuda);
  EXPECT_EQ(c.index, 5);
  EXPECT_THAT(c.reason, HasSubstr("auto"));
  // auto still refuses to put two ranks on one GPU.
  EXPECT_THAT(error_of("auto", gpus(2), place(3, 3, 4)), HasSubstr("no GPU of its own"));
}

TEST(ChooseDevice, AutoIsTheCpuOnlyWhereThereIsNoCudaAtAll) {
  CudaProbe no_build;
  EXPECT_FALSE(choose_device("auto", no_build, place(0, 0, 1)).cuda);
  CudaProbe no_driver = gpus(0);
  no_driver.driver_present = false;
  no_driver.error = "cudaErrorInsufficientDriver: CUDA driver version is insufficient";
  const DeviceChoice c = choose_device("auto", no_driver, place(0, 0, 1));
  EXPECT_FALSE(c.cuda);
  EXPECT_THAT(c.reason, HasSubstr("no CUDA driver"));
  CudaProbe no_gpu = gpus(0, "");
  no_gpu.error = "cudaErrorNoDevice: no CUDA-capable device is detected";
  no_gpu.no_device_error = true;
  EXPECT_THAT(choose_device("auto", no_gpu, place(0, 0, 1)).reason, HasSubstr("no GPU visible"));
}

TEST(ChooseDevice, AutoWithABrokenDriverIsAnErrorNotASilentCpuRun) {
  CudaProbe broken = gpus(0);
  broken.error = "cudaErrorSystemDriverMismatch: system has unsupported display driver / cuda driver combination";
  const std::string e = error_of("auto", broken, place(2, 0, 1));
  EXPECT_THAT(e, HasSubstr("[rank 2]"));
  EXPECT_THAT(e, HasSubstr("driver is installed but fails"));
  EXPECT_THAT(e, HasSubstr("unsupported display driver"));
}

TEST(ChooseDevice, CpuAndBadSettings) {
  EXPECT_FALSE(choose_device("cpu", gpus(4), place(0, 0, 1)).cuda);
  for (const char* bad : {"gpu", "cuda:", "cuda:x", "cuda:-1", "CUDA"}) {
    EXPECT_THROW(choose_device(bad, gpus(1), place(0, 0, 1)), std::invalid_argument) << bad;
  }
}

TEST(CheckDistinctGpus, TwoRanksOnOneGpuAreNamed) {
  EXPECT_NO_THROW(check_distinct_gpus({"0000:1b:00.0", "0000:1c:00.0"}, place(0, 0, 2)));
  EXPECT_NO_THROW(check_distinct_gpus({"", ""}, place(1, 1, 2)));  // CPU ranks
  try {
    check_distinct_gpus({"0000:1b:00.0", "0000:1c:00.0", "0000:1b:00.0"}, place(7, 2, 3));
    FAIL() << "no error";
  } catch (const DistError& e) {
    EXPECT_THAT(e.what(), HasSubstr("[rank 7] local ranks 0 and 2"));
    EXPECT_THAT(e.what(), HasSubstr("0000:1b:00.0"));
  }
}

}  // namespace
}  // namespace hierad::distributed
