import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { PublicRoute } from '@arca/service-kit';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { existsSync } from 'node:fs';
import path from 'node:path';

const CONSOLE_DIR = path.resolve(__dirname, '..', 'console');
const FILES = new Set(['index.html', 'console.js', 'charts.js', 'console.css']);

/** Serves the web console: a static page that uses this same REST API (with the key its user gives it). */
@ApiExcludeController()
@PublicRoute()
@Controller()
export class ConsoleController {
  @Get()
  index(@Res() res: Response): void {
    this.send('index.html', res);
  }

  @Get('console/:file')
  asset(@Param('file') file: string, @Res() res: Response): void {
    this.send(file, res);
  }

  private send(file: string, res: Response): void {
    const full = path.join(CONSOLE_DIR, file);
    if (!FILES.has(file) || !existsSync(full)) throw new NotFoundException(`console file ${file} not found`);
    res.sendFile(full);
  }
}
