// A library file laid out as F# projects write them: a namespace, opens, nested
// modules, qualified uses from other modules and from the module itself.
namespace Stats.SpecialFunctions

open System

/// Logistic functions
module Logistic =

    /// the standard logistic function
    let standard x = 1.0 / (1.0 + exp -x)

    let generic x0 L k x = L / (1.0 + exp (k * (x0 - x)))

    /// the derivative, written with the function itself
    let slope x = Logistic.standard x * (1.0 - standard x)

[<AutoOpen>]
module internal Constants =
    [<Literal>]
    let SqrtTwoPi = 2.5066282746310002

module Gaussian =
    open Logistic

    let density mu sigma x =
        let z = (x - mu) / sigma
        exp (-0.5 * z * z) / (sigma * SqrtTwoPi)

    module Approximations =
        /// the logistic approximation of the normal cdf
        let cdf (x: float) = standard (1.702 * x)

        let tail (x: float) = 1.0 - Gaussian.Approximations.cdf x

    let mixture (x: float) = 0.5 * density 0.0 1.0 x + 0.5 * Logistic.slope x

module L = Logistic

module Losses =
    let crossEntropy (y: float) (x: float) =
        let p = L.standard x
        -(y * log p + (1.0 - y) * log (1.0 - p))

    let huber (delta: float) (x: float) =
        if abs x <= delta then 0.5 * x * x else delta * (abs x - 0.5 * delta)

module Rates =
    let rate = exp 0.05

module Shadowing =
    /// a module constant and a function of one name in one lambda
    let rate (x: float) = Rates.rate * x

    /// a parameter named like a function of the module: the call names its namespace
    let scaled (rate: float) (x: float) = rate * Shadowing.rate x
