#pragma once

namespace evostream::model {

/// Keeps the memory of freed large tensors in the process for the next training step instead
/// of handing it back to the system; call once at start-up, before threads are made.
///
/// glibc maps every block above its mmap threshold (128 KiB at first) anew and unmaps it when
/// freed, so each step's large temporaries (a mixture's gathered rows, their gradients) are
/// fresh pages that fault on first touch. On a moe-vit step with attention mixtures that was
/// over half of the time (`docs/performance.md`). This raises the threshold to 64 MiB and
/// keeps up to 256 MiB of freed memory at the top of the heap. Does nothing where the C library
/// is not glibc.
void reuse_freed_memory();

}  // namespace evostream::model
