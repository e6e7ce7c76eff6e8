#ifndef TB_KERNELS_H
#define TB_KERNELS_H
// Integer dot kernels for block-quantized weights against 8-bit activations (decode's matvec).
// Weights are ggml blocks as stored in GGUF; activations are struct-of-arrays: `qx` int8 values,
// `xs` the per-32 scale d (fp16-rounded, as float), `xsum` d·Σq per 32 (Q8_1's s, for Q4_1).
// Each function computes y[r] = Σ_b dot(row r block b, x block b) for r in [0, rows).
// Runtime dispatch picks AVX-512 VNNI where the CPU has it, else AVX2.
#include <stddef.h>
#include <stdint.h>

void tb_matvec_q4_0(const void *w, size_t row_bytes, int rows, int blocks, const int8_t *qx,
                    const float *xs, const float *xsum, float *y);
void tb_matvec_q4_1(const void *w, size_t row_bytes, int rows, int blocks, const int8_t *qx,
                    const float *xs, const float *xsum, float *y);
void tb_matvec_q8_0(const void *w, size_t row_bytes, int rows, int blocks, const int8_t *qx,
                    const float *xs, const float *xsum, float *y);
/// Quantizes x[0..<n] (n a multiple of 32) to 8 bits per 32-block as llama.cpp's quantize_row_q8_1:
/// d = amax/127, q = round-half-even(x/d); xs[b] = fp16(d), xsum[b] = fp16(d·Σq) (kept as float).
void tb_quantize_q8(const float *x, int n, int8_t *qx, float *xs, float *xsum);
/// x̂[i] = q[i]·d[i/32] after quantizing x as tb_quantize_q8 does: the activations an integer dot
/// sees, in f32, so a batched sgemm over dequantized weights computes what the integer kernels do.
void tb_round_trip_q8(const float *x, int n, float *out);
/// Attention of one query token for `heads` query heads that share one key/value head, over `count`
/// cached positions. q: heads × hd floats; k, v: fp16 rows `stride` elements apart (row j = position j);
/// scores: heads × count floats of scratch; out: heads × hd floats. Probabilities are rounded to fp16
/// before they weight V, as llama.cpp's f16 KV path does. hd must be a multiple of 8.
void tb_attend_one(const float *q, int heads, int hd, const uint16_t *k, const uint16_t *v, size_t stride,
                   int count, float scale, float *scores, float *out);
/// dst[i] = fp16(src[i]) (round to nearest even), and back.
void tb_f32_to_f16(const float *src, uint16_t *dst, size_t n);
void tb_f16_to_f32(const uint16_t *src, float *dst, size_t n);
/// Which instruction set the kernels use: "avx512vnni", "avx2" or "scalar".
const char *tb_kernels_isa(void);
/// Forces a path ("avx512vnni", "avx2", "scalar") for benchmarks; returns 0 if unavailable.
int tb_kernels_force(const char *isa);
/// Runs one kernel of a given instruction set without changing the global choice (for tests).
/// type: 2 = Q4_0, 3 = Q4_1, 8 = Q8_0 (GGML type ids). Returns 0 if the CPU lacks `isa`.
int tb_matvec_with(const char *isa, int type, const void *w, size_t row_bytes, int rows, int blocks,
                   const int8_t *qx, const float *xs, const float *xsum, float *y);
int tb_quantize_q8_with(const char *isa, const float *x, int n, int8_t *qx, float *xs, float *xsum);

// ---- training's elementwise kernels (training.c): AVX2 + FMA, or scalar where the CPU lacks them.
/// max of x[0..<n] (−inf when n is 0).
float tb_max(const float *x, size_t n);
/// x[i] = exp(x[i] − shift) in place; returns Σ x[i] summed in double.
double tb_exp_shifted(float *x, size_t n, float shift);
/// x[i] *= a.
void tb_scale(float *x, size_t n, float a);
/// Softmax backward of one row: dp[i] = p[i] · (dp[i] − Σ_j p[j]·dp[j]).
void tb_softmax_grad(const float *p, float *dp, size_t n);
/// out = silu(gate) · up; outputs may alias inputs index for index.
void tb_swiglu_forward(const float *gate, const float *up, size_t n, float *out);
/// dgate = dout · up · σ(g)(1 + g(1 − σ(g))), dup = dout · silu(g).
void tb_swiglu_backward(const float *dout, const float *gate, const float *up, size_t n, float *dgate, float *dup);
/// One instruction set's versions of the kernels above.
typedef struct {
    float (*max)(const float *x, size_t n);
    double (*exp_shifted)(float *x, size_t n, float shift);
    void (*scale)(float *x, size_t n, float a);
    void (*softmax_grad)(const float *p, float *dp, size_t n);
    void (*swiglu_forward)(const float *gate, const float *up, size_t n, float *out);
    void (*swiglu_backward)(const float *dout, const float *gate, const float *up, size_t n, float *dgate, float *dup);
    const char *isa;
} tb_elementwise_kernels;
/// "avx2" or "scalar" (NULL when the CPU lacks it), for tests; the functions above use AVX2 when
/// the CPU has AVX2 and FMA.
const tb_elementwise_kernels *tb_elementwise(const char *isa);

/// A hint to the CPU that this thread is spinning (PAUSE on x86).
static inline void tb_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

#endif
