namespace N.S
open System
module A =
    let c = 0.5
    let f (x: float) = x * c
    let g (x: float) = A.f x + f x
    [<AutoOpen>]
    module B =
        let h (x: float) = f x - N.S.A.g x
module C =
    open A
    let k (x: float) = h x + B.h x + A.c
module D = C
let top (x: float) = D.k x + A.B.h x
