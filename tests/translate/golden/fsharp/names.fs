// Names that are C++ keywords or knossos' own; a comment with */ and #include <cstdio> \
let std (int: float) (ks: float) auto (NAN: float) = int + ks * auto - NAN

let double x = std x 1.0 2.0 3.0

(* a block comment with */ and "#include" *)
let xor x = double x + 1.0
