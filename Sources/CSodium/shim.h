#ifndef DATAMARKET_CSODIUM_SHIM_H
#define DATAMARKET_CSODIUM_SHIM_H
#include <sodium.h>
#endif
