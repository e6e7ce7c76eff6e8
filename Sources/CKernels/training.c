#include "tb_kernels.h"
#include "simd.h"

#include <immintrin.h>
#include <math.h>
#include <pthread.h>
#include <string.h>

// Elementwise kernels of the training pass: softmax pieces and SwiGLU, AVX2 + FMA with a scalar
// fallback picked once at run time; e^x from simd.h.

__attribute__((target("avx2,fma"))) static inline float hmax8(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_shuffle_ps(m, m, 1));
    return _mm_cvtss_f32(m);
}

__attribute__((target("avx2,fma"))) static inline double hsum4d(__m256d v) {
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

// ---- AVX2 ----

__attribute__((target("avx2,fma"))) static float max_avx2(const float *x, size_t n) {
    size_t i = 0;
    float m = -INFINITY;
    if (n >= 8) {
        __m256 v = _mm256_loadu_ps(x);
        for (i = 8; i + 8 <= n; i += 8) v = _mm256_max_ps(v, _mm256_loadu_ps(x + i));
        m = hmax8(v);
    }
    for (; i < n; i++) m = x[i] > m ? x[i] : m;
    return m;
}

__attribute__((target("avx2,fma"))) static double exp_shifted_avx2(float *x, size_t n, float shift) {
    const __m256 s = _mm256_set1_ps(shift);
    __m256d acc0 = _mm256_setzero_pd(), acc1 = acc0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 e = tb_exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), s));
        _mm256_storeu_ps(x + i, e);
        acc0 = _mm256_add_pd(acc0, _mm256_cvtps_pd(_mm256_castps256_ps128(e)));
        acc1 = _mm256_add_pd(acc1, _mm256_cvtps_pd(_mm256_extractf128_ps(e, 1)));
    }
    double sum = hsum4d(_mm256_add_pd(acc0, acc1));
    for (; i < n; i++) {
        x[i] = tb_exp1(x[i] - shift);
        sum += x[i];
    }
    return sum;
}

__attribute__((target("avx2,fma"))) static void scale_avx2(float *x, size_t n, float a) {
    const __m256 s = _mm256_set1_ps(a);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), s));
    for (; i < n; i++) x[i] *= a;
}

__attribute__((target("avx2,fma"))) static void softmax_grad_avx2(const float *p, float *dp, size_t n) {
    __m256 acc = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 8 <= n; i += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(p + i), _mm256_loadu_ps(dp + i), acc);
    float dot = tb_hsum8(acc);
    for (; i < n; i++) dot += p[i] * dp[i];
    const __m256 d = _mm256_set1_ps(dot);
    for (i = 0; i + 8 <= n; i += 8)
        _mm256_storeu_ps(dp + i, _mm256_mul_ps(_mm256_loadu_ps(p + i), _mm256_sub_ps(_mm256_loadu_ps(dp + i), d)));
    for (; i < n; i++) dp[i] = p[i] * (dp[i] - dot);
}

__attribute__((target("avx2,fma"))) static inline __m256 sigmoid8(__m256 g) {
    const __m256 one = _mm256_set1_ps(1);
    return _mm256_div_ps(one, _mm256_add_ps(one, tb_exp8(_mm256_sub_ps(_mm256_setzero_ps(), g))));
}

__attribute__((target("avx2,fma"))) static void swiglu_forward_avx2(const float *gate, const float *up, size_t n, float *out) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 g = _mm256_loadu_ps(gate + i);
        _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_mul_ps(g, sigmoid8(g)), _mm256_loadu_ps(up + i)));
    }
    for (; i < n; i++) out[i] = gate[i] / (1 + tb_exp1(-gate[i])) * up[i];
}

__attribute__((target("avx2,fma"))) static void swiglu_backward_avx2(const float *dout, const float *gate, const float *up,
                                                                     size_t n, float *dgate, float *dup) {
    const __m256 one = _mm256_set1_ps(1);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 g = _mm256_loadu_ps(gate + i), u = _mm256_loadu_ps(up + i), dy = _mm256_loadu_ps(dout + i);
        __m256 s = sigmoid8(g);
        // dGate = dy · u · s · (1 + g(1 − s)),  dUp = dy · g · s
        __m256 t = _mm256_fmadd_ps(g, _mm256_sub_ps(one, s), one);
        _mm256_storeu_ps(dgate + i, _mm256_mul_ps(_mm256_mul_ps(dy, u), _mm256_mul_ps(s, t)));
        _mm256_storeu_ps(dup + i, _mm256_mul_ps(dy, _mm256_mul_ps(g, s)));
    }
    for (; i < n; i++) {
        float g = gate[i], u = up[i], dy = dout[i], s = 1 / (1 + tb_exp1(-g));
        dgate[i] = dy * u * s * (1 + g * (1 - s));
        dup[i] = dy * g * s;
    }
}

// ---- scalar ----

static float max_scalar(const float *x, size_t n) {
    float m = -INFINITY;
    for (size_t i = 0; i < n; i++) m = x[i] > m ? x[i] : m;
    return m;
}

static double exp_shifted_scalar(float *x, size_t n, float shift) {
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        x[i] = tb_exp1(x[i] - shift);
        sum += x[i];
    }
    return sum;
}

static void scale_scalar(float *x, size_t n, float a) {
    for (size_t i = 0; i < n; i++) x[i] *= a;
}

static void softmax_grad_scalar(const float *p, float *dp, size_t n) {
    float dot = 0;
    for (size_t i = 0; i < n; i++) dot += p[i] * dp[i];
    for (size_t i = 0; i < n; i++) dp[i] = p[i] * (dp[i] - dot);
}

static void swiglu_forward_scalar(const float *gate, const float *up, size_t n, float *out) {
    for (size_t i = 0; i < n; i++) out[i] = gate[i] / (1 + tb_exp1(-gate[i])) * up[i];
}

static void swiglu_backward_scalar(const float *dout, const float *gate, const float *up, size_t n, float *dgate, float *dup) {
    for (size_t i = 0; i < n; i++) {
        float g = gate[i], u = up[i], dy = dout[i], s = 1 / (1 + tb_exp1(-g));
        dgate[i] = dy * u * s * (1 + g * (1 - s));
        dup[i] = dy * g * s;
    }
}

// ---- dispatch ----

static const tb_elementwise_kernels avx2_kernels = {
    max_avx2, exp_shifted_avx2, scale_avx2, softmax_grad_avx2, swiglu_forward_avx2, swiglu_backward_avx2, "avx2"};
static const tb_elementwise_kernels scalar_kernels = {
    max_scalar, exp_shifted_scalar, scale_scalar, softmax_grad_scalar, swiglu_forward_scalar, swiglu_backward_scalar, "scalar"};

const tb_elementwise_kernels *tb_elementwise(const char *isa) {
    if (strcmp(isa, "scalar") == 0) return &scalar_kernels;
    if (strcmp(isa, "avx2") != 0) return NULL;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? &avx2_kernels : NULL;
}

static const tb_elementwise_kernels *k;
static void pick_once(void) {
    k = tb_elementwise("avx2");
    if (!k) k = &scalar_kernels;
}
static pthread_once_t picked = PTHREAD_ONCE_INIT;
#define READY pthread_once(&picked, pick_once)

float tb_max(const float *x, size_t n) { READY; return k->max(x, n); }
double tb_exp_shifted(float *x, size_t n, float shift) { READY; return k->exp_shifted(x, n, shift); }
void tb_scale(float *x, size_t n, float a) { READY; k->scale(x, n, a); }
void tb_softmax_grad(const float *p, float *dp, size_t n) { READY; k->softmax_grad(p, dp, n); }
void tb_swiglu_forward(const float *gate, const float *up, size_t n, float *out) { READY; k->swiglu_forward(gate, up, n, out); }
void tb_swiglu_backward(const float *dout, const float *gate, const float *up, size_t n, float *dgate, float *dup) {
    READY;
    k->swiglu_backward(dout, gate, up, n, dgate, dup);
}
