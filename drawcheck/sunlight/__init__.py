"""Sunlight analysis (日照分析): solar position, scene, ray casting, the Chinese standards' rules."""
