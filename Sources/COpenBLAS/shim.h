#include <cblas.h>

// Exported by libopenblas 0.3.x though not declared in cblas.h: re-read the OPENBLAS_* environment
// variables, and stop / start the thread pool, so that a variable set after the library loaded
// (OPENBLAS_THREAD_TIMEOUT) takes effect. See BLAS.idleThreadsSleepAtOnce().
void openblas_read_env(void);
int blas_thread_shutdown_(void);
int blas_thread_init(void);
