// A library file as F# projects lay it out: a namespace, nested modules, and
// functions that call each other across modules, qualified or through open.
namespace Stats.SpecialFunctions

open System

/// Logistic functions
module Logistic =

    /// the standard logistic function
    let standard x = 1.0 / (1.0 + exp -x)

    let generic x0 L k x = L / (1.0 + exp (k * (x0 - x)))

    /// its derivative, through the module's own name
    let slope x = Logistic.standard x * (1.0 - standard x)

[<AutoOpen>]
module Constants =
    let LogTwoPi = log (2.0 * Math.PI)

module Gaussian =
    open Logistic

    let logDensity mu sigma x =
        let z = (x - mu) / sigma
        -0.5 * (z * z + LogTwoPi) - log sigma

    module Approximations =
        /// the logistic approximation of the normal cdf
        let cdf (x: float) = standard (1.702 * x)

        let tail (x: float) = 1.0 - Gaussian.Approximations.cdf x

    let mixture (x: float) = 0.5 * exp (logDensity 0.0 1.0 x) + 0.5 * Logistic.slope x

module L = Logistic

module Losses =
    let crossEntropy (y: float) (x: float) =
        let p = L.standard x
        -(y * log p + (1.0 - y) * log (1.0 - p))

    let huber (delta: float) (x: float) =
        if abs x <= delta then 0.5 * x * x
        else delta * (abs x - 0.5 * delta)

    let smoothHuber (x: float) =
        Stats.SpecialFunctions.Losses.huber 1.0 x
        + Logistic.generic 0.0 2.0 3.0 x
