#pragma once
// Output files appear whole or not at all: write to PATH.partial, then rename over PATH.
// A run that fails half way leaves an existing PATH untouched.
#include <string>

namespace marlsim {

// Throws InputError naming the path when it cannot be written (missing directory, ...).
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace marlsim
