import { Controller, Get, Header, Param, Req, Res } from '@nestjs/common';
import { ResiError } from '@resi/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MISSING_BUILD_PAGE, type WebAsset, WebAssets } from '../web/web-assets.js';

/** The dashboard (`apps/web`'s build) at `/` and its hashed files under `/assets/`. */
@Controller()
export class WebController {
  private readonly assets = new WebAssets();

  @Get()
  @Header('Cache-Control', 'no-cache')
  async index(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const page = this.assets.get('/');
    if (!page) {
      await reply.type('text/html; charset=utf-8').send(MISSING_BUILD_PAGE);
      return;
    }
    await send(page, request, reply);
  }

  @Get('assets/:file')
  async asset(@Param('file') file: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const asset = this.assets.get(`/assets/${file}`);
    if (!asset) throw new ResiError('NOT_FOUND', `No dashboard file named assets/${file}.`);
    await send(asset, request, reply);
  }
}

async function send(asset: WebAsset, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  void reply.type(asset.contentType).header('Vary', 'Accept-Encoding').header('X-Content-Type-Options', 'nosniff');
  if (asset.immutable) void reply.header('Cache-Control', 'public, max-age=31536000, immutable');
  const acceptsGzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  if (asset.gzipped && acceptsGzip) {
    await reply.header('Content-Encoding', 'gzip').send(asset.gzipped);
    return;
  }
  await reply.send(asset.body);
}
