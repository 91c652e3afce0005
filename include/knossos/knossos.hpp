// knossos: write a scalar function once, as a generic lambda; get its derivatives at
// compile time and fused SIMD loops over arrays. This umbrella header includes the
// whole library. Docs: docs/index.md
#pragma once

#include <knossos/config.hpp>
#include <knossos/concrete.hpp>
#include <knossos/ops.hpp>
#include <knossos/ir.hpp>
#include <knossos/eval.hpp>
#include <knossos/expr.hpp>
#include <knossos/select.hpp>
#include <knossos/math.hpp>
#include <knossos/lift.hpp>
#include <knossos/diff.hpp>
#include <knossos/custom.hpp>
#include <knossos/activations.hpp>
#include <knossos/to_string.hpp>
#include <knossos/vmap.hpp>
#include <knossos/reduce.hpp>
