import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

/** The page, bundled into dist/app with everything it needs: `gotong ui` serves these files. */
export default defineConfig({
  root: 'app',
  base: './',
  plugins: [react()],
  build: { outDir: '../dist/app', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 400 },
})
