#ifndef TB_SIMD_H
#define TB_SIMD_H
// Helpers shared by kernels.c and training.c.
//
// e^x for the kernels (kernels.c's decode attention, training.c's softmax and SwiGLU): Cephes' expf,
// range reduction by ln 2 in two parts and a degree-6 polynomial, within 2 ulp of the true value
// over [-87.33, 88]. Below that it gives 0 (expf's result would be a denormal); above, exp(88)
// (the callers' arguments are ≤ 0 after subtracting a maximum, or a sigmoid's −g). The scalar
// version runs the same polynomial, so a vector loop's tail agrees with its body.
#include <immintrin.h>
#include <stdint.h>

#define TB_EXP_LO -87.3365478515625f
#define TB_EXP_HI 88.0f

__attribute__((target("avx2,fma"))) static inline __m256 tb_exp8(__m256 x) {
    const __m256 under = _mm256_cmp_ps(x, _mm256_set1_ps(TB_EXP_LO), _CMP_LT_OQ);
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(TB_EXP_LO)), _mm256_set1_ps(TB_EXP_HI));
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

static inline float tb_exp1(float x) {
    if (x < TB_EXP_LO) return 0;
    if (x > TB_EXP_HI) x = TB_EXP_HI;
    float n = __builtin_rintf(x * 1.44269504088896341f);
    x = x - n * 0.693359375f;
    x = x - n * -2.12194440e-4f;
    float y = 1.9875691500e-4f;
    y = y * x + 1.3981999507e-3f;
    y = y * x + 8.3334519073e-3f;
    y = y * x + 4.1665795894e-2f;
    y = y * x + 1.6666665459e-1f;
    y = y * x + 5.0000001201e-1f;
    y = y * (x * x) + (x + 1.0f);
    union { uint32_t i; float f; } e = { .i = (uint32_t)((int)n + 127) << 23 };
    return y * e.f;
}

/// The sum of a vector's 8 lanes.
__attribute__((target("avx2,fma"))) static inline float tb_hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

#endif
