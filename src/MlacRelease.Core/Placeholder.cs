namespace MlacRelease.Core; public static class Placeholder {}
