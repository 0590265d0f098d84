// Where a config points at a model: a checkpoint file, a run directory or its checkpoints/ folder.
#pragma once

#include "storage/checkpoint.hpp"

#include <string>

namespace hierad::model_io {

// A file is read and verified as is; a directory (a run directory, or the checkpoints/ folder in
// it) gives its newest checkpoint that verifies. Throws std::runtime_error naming the path when
// nothing loadable is there.
storage::Checkpoint read_checkpoint_or_latest(const std::string& path);

}  // namespace hierad::model_io
