#include "tb_kernels.h"

#include <immintrin.h>
#include <math.h>
#include <pthread.h>
#include <string.h>

// Elementwise kernels of the training pass: softmax pieces and SwiGLU, AVX2 + FMA with a scalar
// fallback picked once at run time. exp is Cephes' expf (range reduction by ln 2 in two parts, a
// degree-6 polynomial): within 2 ulp of libm's expf over [-87.3, 88]; 0 below that (expf's result
// is a denormal there) and exp(88) above (the callers' arguments are ≤ 0, or a sigmoid's −g).

#define EXP_HI 88.0f
#define EXP_LO -87.3365478515625f

__attribute__((target("avx2,fma"))) static inline __m256 exp8(__m256 x) {
    const __m256 under = _mm256_cmp_ps(x, _mm256_set1_ps(EXP_LO), _CMP_LT_OQ);
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(EXP_LO)), _mm256_set1_ps(EXP_HI));
    __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    x = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    x = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), x);
    __m256 y = _mm256_set1_ps(1.9875691500e-4f);
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.3981999507e-3f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(8.3334519073e-3f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(4.1665795894e-2f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.6666665459e-1f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(5.0000001201e-1f));
    y = _mm256_fmadd_ps(y, _mm256_mul_ps(x, x), _mm256_add_ps(x, _mm256_set1_ps(1)));
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_andnot_ps(under, _mm256_mul_ps(y, _mm256_castsi256_ps(e)));
}

static inline float exp1(float x) { return x < EXP_LO ? 0 : expf(x < EXP_HI ? x : EXP_HI); }

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

__attribute__((target("avx2,fma"))) static inline float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
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
        __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), s));
        _mm256_storeu_ps(x + i, e);
        acc0 = _mm256_add_pd(acc0, _mm256_cvtps_pd(_mm256_castps256_ps128(e)));
        acc1 = _mm256_add_pd(acc1, _mm256_cvtps_pd(_mm256_extractf128_ps(e, 1)));
    }
    double sum = hsum4d(_mm256_add_pd(acc0, acc1));
    for (; i < n; i++) {
        x[i] = exp1(x[i] - shift);
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
    float dot = hsum8(acc);
    for (; i < n; i++) dot += p[i] * dp[i];
    const __m256 d = _mm256_set1_ps(dot);
    for (i = 0; i + 8 <= n; i += 8)
        _mm256_storeu_ps(dp + i, _mm256_mul_ps(_mm256_loadu_ps(p + i), _mm256_sub_ps(_mm256_loadu_ps(dp + i), d)));
    for (; i < n; i++) dp[i] = p[i] * (dp[i] - dot);
}

__attribute__((target("avx2,fma"))) static inline __m256 sigmoid8(__m256 g) {
    const __m256 one = _mm256_set1_ps(1);
    return _mm256_div_ps(one, _mm256_add_ps(one, exp8(_mm256_sub_ps(_mm256_setzero_ps(), g))));
}

__attribute__((target("avx2,fma"))) static void swiglu_forward_avx2(const float *gate, const float *up, size_t n, float *out) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 g = _mm256_loadu_ps(gate + i);
        _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_mul_ps(g, sigmoid8(g)), _mm256_loadu_ps(up + i)));
    }
    for (; i < n; i++) out[i] = gate[i] / (1 + exp1(-gate[i])) * up[i];
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
        float g = gate[i], u = up[i], dy = dout[i], s = 1 / (1 + exp1(-g));
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
        x[i] = exp1(x[i] - shift);
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
    for (size_t i = 0; i < n; i++) out[i] = gate[i] / (1 + exp1(-gate[i])) * up[i];
}

static void swiglu_backward_scalar(const float *dout, const float *gate, const float *up, size_t n, float *dgate, float *dup) {
    for (size_t i = 0; i < n; i++) {
        float g = gate[i], u = up[i], dy = dout[i], s = 1 / (1 + exp1(-g));
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
