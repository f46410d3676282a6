;; The quantized vector scan's two inner loops, in WebAssembly SIMD (128-bit). Compiled into
;; scanKernels.ts by scripts/build-scan-kernels.js; quantizedScan.ts explains the method.
;; The module imports its memory, so the caller can give it a larger one as the index grows.
(module
  (import "env" "memory" (memory 1))

  ;; fastScan: an estimated score for every vector, 16 at a time. Each vector is P bytes of sign
  ;; bits; a block of 16 vectors is stored transposed (byte position, then vector), so one
  ;; 16-byte load holds the same byte of 16 vectors. Each nibble (4 dimensions) indexes a
  ;; 16-entry table of the query's partial scores (entries <= 127, so two add up within a byte),
  ;; looked up for all 16 vectors by one swizzle. Sums build up in 16-bit lanes.
  ;; codes: blocks * P * 16 bytes; tables: 2P tables of 16 bytes (low nibble of byte p, then high);
  ;; masks: per block 16 u16 lanes, 0xffff for a vector to score and 0 for a free slot (scored 0).
  ;; out: one u16 per vector (32 bytes per block).
  (func (export "fastScan") (param $codes i32) (param $blocks i32) (param $P i32) (param $tables i32) (param $masks i32) (param $out i32)
    (local $b i32) (local $p i32) (local $c i32) (local $t i32)
    (local $x v128) (local $s v128) (local $lo v128) (local $hi v128)
    (local.set $c (local.get $codes))
    (block $done
      (loop $block
        (br_if $done (i32.ge_u (local.get $b) (local.get $blocks)))
        (local.set $lo (v128.const i32x4 0 0 0 0))
        (local.set $hi (v128.const i32x4 0 0 0 0))
        (local.set $t (local.get $tables))
        (local.set $p (local.get $P))
        (loop $position
          (local.set $x (v128.load (local.get $c)))
          (local.set $s (i8x16.add
            (i8x16.swizzle (v128.load offset=0 (local.get $t))
              (v128.and (local.get $x) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15)))
            (i8x16.swizzle (v128.load offset=16 (local.get $t)) (i8x16.shr_u (local.get $x) (i32.const 4)))))
          (local.set $lo (i16x8.add (local.get $lo) (i16x8.extend_low_i8x16_u (local.get $s))))
          (local.set $hi (i16x8.add (local.get $hi) (i16x8.extend_high_i8x16_u (local.get $s))))
          (local.set $c (i32.add (local.get $c) (i32.const 16)))
          (local.set $t (i32.add (local.get $t) (i32.const 32)))
          (local.set $p (i32.sub (local.get $p) (i32.const 1)))
          (br_if $position (local.get $p)))
        (v128.store offset=0 (local.get $out) (v128.and (local.get $lo) (v128.load offset=0 (local.get $masks))))
        (v128.store offset=16 (local.get $out) (v128.and (local.get $hi) (v128.load offset=16 (local.get $masks))))
        (local.set $out (i32.add (local.get $out) (i32.const 32)))
        (local.set $masks (i32.add (local.get $masks) (i32.const 32)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $block))))

  ;; int8Dot: int8 rows (stride bytes, a multiple of 16) of the slots listed in `slots` (i32),
  ;; dotted with an int16 query of the same stride; out: one f32 per listed slot.
  (func (export "int8Dot") (param $rows i32) (param $stride i32) (param $slots i32) (param $count i32) (param $query i32) (param $out i32)
    (local $j i32) (local $p i32) (local $q i32) (local $k i32) (local $x v128) (local $acc v128)
    (block $done
      (loop $slot
        (br_if $done (i32.ge_u (local.get $j) (local.get $count)))
        (local.set $p (i32.add (local.get $rows)
          (i32.mul (i32.load (i32.add (local.get $slots) (i32.shl (local.get $j) (i32.const 2)))) (local.get $stride))))
        (local.set $q (local.get $query))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $k (i32.shr_u (local.get $stride) (i32.const 4)))
        (loop $chunk
          (local.set $x (v128.load (local.get $p)))
          (local.set $acc (i32x4.add (local.get $acc)
            (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $x)) (v128.load offset=0 (local.get $q)))))
          (local.set $acc (i32x4.add (local.get $acc)
            (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $x)) (v128.load offset=16 (local.get $q)))))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (local.set $q (i32.add (local.get $q) (i32.const 32)))
          (local.set $k (i32.sub (local.get $k) (i32.const 1)))
          (br_if $chunk (local.get $k)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2)))
          (f32.convert_i32_s (i32.add
            (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
            (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $slot))))
;; histogram: counts of each u16 score of n vectors, added into hist (one u32 per score).
  (func (export "histogram") (param $scores i32) (param $n i32) (param $hist i32)
    (local $end i32) (local $at i32)
    (local.set $end (i32.add (local.get $scores) (i32.shl (local.get $n) (i32.const 1))))
    (block $done
      (loop $score
        (br_if $done (i32.ge_u (local.get $scores) (local.get $end)))
        (local.set $at (i32.add (local.get $hist) (i32.shl (i32.load16_u (local.get $scores)) (i32.const 2))))
        (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.const 1)))
        (local.set $scores (i32.add (local.get $scores) (i32.const 2)))
        (br $score))))

  ;; gather: the indexes (i32, into out) of the vectors scoring at least threshold (1…65535), in
  ;; order; returns how many. n is a multiple of 8: eight scores are compared at once, and most
  ;; groups hold none (the threshold lets about 2 % through).
  (func (export "gather") (param $scores i32) (param $n i32) (param $threshold i32) (param $out i32) (result i32)
    (local $i i32) (local $j i32) (local $count i32) (local $limit v128)
    (local.set $limit (i16x8.splat (i32.sub (local.get $threshold) (i32.const 1))))
    (block $done
      (loop $group
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        ;; u16 max(score, threshold - 1) != threshold - 1  <=>  score >= threshold
        (if (v128.any_true (v128.not (i16x8.eq (i16x8.max_u (v128.load (i32.add (local.get $scores) (i32.shl (local.get $i) (i32.const 1)))) (local.get $limit)) (local.get $limit))))
          (then
            (local.set $j (local.get $i))
            (loop $lane
              (if (i32.ge_u (i32.load16_u (i32.add (local.get $scores) (i32.shl (local.get $j) (i32.const 1)))) (local.get $threshold))
                (then
                  (i32.store (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 2))) (local.get $j))
                  (local.set $count (i32.add (local.get $count) (i32.const 1)))))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br_if $lane (i32.lt_u (local.get $j) (i32.add (local.get $i) (i32.const 8)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $group)))
    (local.get $count))
)
